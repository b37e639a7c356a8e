"""ganzoo.text: any string gets ids and an embedding; the contrastive loss is the one documented."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import text
from ganzoo.errors import GanzooError

BAD_STRINGS = [b"", b"zorblax quux frobnicate", b"a red circle " * 200, b"\xff\xfe\x80 red \xc3", "ünïcödé ✓".encode()]


@pytest.mark.parametrize("tokens", ["characters", "words"])
def test_bad_strings_still_get_ids_and_a_finite_embedding(tokens):
    vectorizer = text.make_vectorizer(tokens, max_length=16, vocabulary=["a", "red", "circle"], max_tokens=8)
    encoder = text.build_text_encoder(tokens, max_length=16, max_tokens=8, embedding_dim=8, width=8, token_dim=4)
    ids = vectorizer(text.prepare_text(tf.constant(BAD_STRINGS)))
    assert ids.shape == (len(BAD_STRINGS), 16)
    assert np.all(ids.numpy()[0] == 0)                    # empty: all padding
    assert np.all(ids.numpy()[2] != 0)                    # too long: cut to max_length
    embedding = encoder(ids).numpy()
    assert embedding.shape == (len(BAD_STRINGS), 8) and np.isfinite(embedding).all()


def test_words_out_of_vocabulary_map_to_unknown_and_characters_to_the_alphabet():
    words = text.make_vectorizer("words", max_length=4, vocabulary=["red", "circle"], max_tokens=8)
    np.testing.assert_array_equal(words(tf.constant(["Red, zebra circle!"])).numpy(), [[2, 1, 3, 0]])
    chars = text.make_vectorizer("characters", max_length=3)
    expected = [text.ALPHABET.index(c) + 2 for c in "ab"] + [1]   # '#' is not in the alphabet
    np.testing.assert_array_equal(chars(tf.constant(["AB#"])).numpy(), [expected])


def test_invalid_utf8_is_replaced_not_rejected():
    cleaned = text.prepare_text(tf.constant([b"ok\xff"])).numpy()[0]
    assert cleaned.decode("utf-8") == "ok\ufffd"


def test_padding_does_not_change_the_embedding():
    # Only the real tokens' GRU states are averaged, and the GRU is causal, so a
    # caption padded to 12 or to 6 tokens has the same embedding.
    long = text.build_text_encoder("words", max_length=12, max_tokens=10, embedding_dim=4, width=4, token_dim=4)
    short = text.build_text_encoder("words", max_length=6, max_tokens=10, embedding_dim=4, width=4, token_dim=4)
    short.set_weights(long.get_weights())
    a = long(np.array([[3, 4, 5] + [0] * 9], np.int64)).numpy()
    b = short(np.array([[3, 4, 5] + [0] * 3], np.int64)).numpy()
    np.testing.assert_allclose(a, b, atol=1e-6)
    c = long(np.array([[3, 4, 5, 6] + [0] * 8], np.int64)).numpy()
    assert not np.allclose(a, c, atol=1e-4)  # a real token does change it



def test_embedding_has_unit_rms_so_g_and_d_see_text_as_strongly_as_noise():
    # The contrastive loss fixes only the direction; the encoder fixes the length.
    encoder = text.build_text_encoder("words", max_length=6, max_tokens=10, embedding_dim=16, width=8, token_dim=4)
    kernel, bias = encoder.get_layer("sentence_embedding").get_weights()
    encoder.get_layer("sentence_embedding").set_weights([kernel * 50.0, bias + 3.0])
    embedding = encoder(np.array([[3, 4, 5, 0, 0, 0], [6, 2, 0, 0, 0, 0]], np.int64)).numpy()
    np.testing.assert_allclose(np.sqrt(np.mean(embedding**2, axis=1)), [1.0, 1.0], rtol=1e-5)

def _linear_part(encoder, ids):
    """The sentence embedding before its unit-RMS rescaling."""
    inner = keras.Model(encoder.input, encoder.get_layer("sentence_embedding").output)
    return inner(np.array(ids, np.int64)).numpy()


def test_bag_of_words_embedding_is_the_average_of_its_words_so_unseen_pairs_compose():
    # "blue triangle" must be "blue" plus "triangle" even if that pair was never trained on.
    encoder = text.build_text_encoder("words", max_length=6, max_tokens=10, embedding_dim=8, width=8,
                                      encoder="bag_of_words")
    blue, triangle, both, reversed_ = _linear_part(encoder, [[3, 0, 0, 0, 0, 0], [4, 0, 0, 0, 0, 0],
                                                             [3, 4, 0, 0, 0, 0], [4, 3, 0, 0, 0, 0]])
    np.testing.assert_allclose(both, 0.5 * (blue + triangle), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(both, reversed_, rtol=1e-5, atol=1e-6)  # word order is lost
    # The conv-GRU encoder is not additive: the same check fails for it.
    gru = text.build_text_encoder("words", max_length=6, max_tokens=10, embedding_dim=8, width=8, token_dim=4)
    blue, triangle, both = _linear_part(gru, [[3, 0, 0, 0, 0, 0], [4, 0, 0, 0, 0, 0], [3, 4, 0, 0, 0, 0]])
    assert not np.allclose(both, 0.5 * (blue + triangle), atol=1e-3)


def test_word_vocabulary_is_by_frequency_then_alphabetical():
    vocabulary = text.word_vocabulary(["b a", "A c.", "c b", "d"], max_tokens=5)
    assert vocabulary == ["a", "b", "c"]


def test_contrastive_loss_matches_hand_computation():
    u = np.array([[1.0, 0.0], [0.0, 2.0]], np.float32)
    v = np.array([[3.0, 0.0], [1.0, 1.0]], np.float32)
    tau = 0.5
    un = u / np.linalg.norm(u, axis=1, keepdims=True)
    vn = v / np.linalg.norm(v, axis=1, keepdims=True)
    s = un @ vn.T / tau
    log_softmax = lambda m: m - np.log(np.exp(m).sum(axis=1, keepdims=True))  # noqa: E731
    expected = 0.5 * (-np.diag(log_softmax(s)) - np.diag(log_softmax(s.T)))
    np.testing.assert_allclose(text.contrastive_loss(u, v, tau).numpy(), expected, rtol=1e-5)


def test_pretraining_lowers_the_contrastive_loss():
    tf.keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (8, 16, 16, 3)).astype("float32")
    ids = np.arange(1, 9, dtype=np.int64)[:, None].repeat(4, axis=1) + 1
    encoder = text.build_text_encoder("words", max_length=4, max_tokens=12, embedding_dim=8, width=8, token_dim=8)
    image_encoder = text.build_image_encoder((16, 16, 3), embedding_dim=8, filters=8)
    batches = tf.data.Dataset.from_tensors((images, ids))
    losses = text.pretrain(encoder, image_encoder, batches, steps=40, learning_rate=1e-2)
    assert len(losses) == 40 and np.mean(losses[-5:]) < 0.5 * losses[0]


def test_bad_settings_are_clear_errors():
    with pytest.raises(GanzooError, match="encoder='transformer' is unknown"):
        text.build_text_encoder("words", encoder="transformer")
    with pytest.raises(GanzooError, match="needs tokens='words'"):
        text.build_text_encoder("characters", encoder="bag_of_words")
    with pytest.raises(GanzooError, match="tokens='bytes' is unknown"):
        text.make_vectorizer("bytes")
    with pytest.raises(GanzooError, match="max_tokens=4 leaves room for 2"):
        text.make_vectorizer("words", vocabulary=["a", "b", "c"], max_tokens=4)
