"""TextToImageGAN: the GAN-CLS and GAN-INT objectives, the four variants, feature regularizers, the
preprocessor, save/load, export that takes raw strings."""

import io
import os
import subprocess
import sys
import zipfile

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import losses
from ganzoo.data import registry, shapes  # noqa: F401  (registers shapes)
from ganzoo.errors import GanzooError
from ganzoo.export import save_generator
from ganzoo.models import text_to_image
from ganzoo.models.text_to_image import TextToImageGAN
from ganzoo.training import FeatureMatching, PullingAway, Step, Term

BAD_CAPTIONS = [b"", b"a zorblaxian quux", b"a large green square " * 100, b"\xff\xfe\x80 red \xc3"]


def tiny(**kwargs):
    defaults = dict(image_shape=(16, 16, 3), latent_dim=8, projection_dim=8, text_dim=8, encoder_width=8,
                    g_filters=8, d_filters=8, max_length=32, text_pretrain_steps=2)
    return TextToImageGAN(**{**defaults, **kwargs})


def data(batch=4, num=8):
    return registry.load("shapes", batch_size=batch, image_size=16, num_examples=num)


def test_gan_cls_loss_matches_the_papers_formula():
    r, w, f = np.array([1.5, -0.3]), np.array([0.2, 0.8]), np.array([-1.0, 2.0])
    s = lambda x: 1.0 / (1.0 + np.exp(-x))  # noqa: E731
    # Paper: D maximises log s_r + (log(1 - s_w) + log(1 - s_f)) / 2.
    expected = -(np.log(s(r)) + 0.5 * (np.log(1 - s(w)) + np.log(1 - s(f))))
    got = text_to_image.gan_cls_discriminator_loss(losses.get("non_saturating"), r, w, f)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5)


def fixed_step(model, batch, z):
    """A training.Step on ``batch`` whose every noise draw is ``z``."""
    real, condition = model.unpack(model.preprocessor(*batch))
    model.sample_noise = lambda n: tf.constant(z)
    return Step(model, real, condition, training=False)


def total(outputs):
    return sum(float(v.weight) * float(tf.reduce_mean(v.value)) for v in outputs.values() if isinstance(v, Term))


def test_discriminator_objective_is_the_three_term_gan_cls_loss_on_the_right_pairs():
    model = tiny()
    model.compile()
    images, text, wrong = next(iter(data()))
    z = model.noise(4, seed=7)
    outputs = model.discriminator_objective(fixed_step(model, (images, text, wrong), z))
    assert {k for k, v in outputs.items() if isinstance(v, Term)} == {"d_adv", "d_cls"}
    assert outputs["d_adv"].weight == outputs["d_cls"].weight == 0.5
    h = model.embed_text(text)
    h_wrong = model.embed_text(wrong)
    r = model.discriminate(images, h).numpy().ravel()
    w = model.discriminate(images, h_wrong).numpy().ravel()
    f = model.discriminate(model.generate(z=z, text=list(text.numpy())), h).numpy().ravel()
    softplus = lambda x: np.log1p(np.exp(x))  # noqa: E731
    # Paper: D maximises log s_r + (log(1 - s_w) + log(1 - s_f)) / 2.
    expected = np.mean(softplus(-r) + 0.5 * (softplus(w) + softplus(f)))
    np.testing.assert_allclose(total(outputs), expected, rtol=1e-4)
    np.testing.assert_allclose(outputs["d_wrong"].numpy(), np.mean(1 / (1 + np.exp(-w))), rtol=1e-4)
    assert not np.allclose(w, r)  # the wrong captions are other captions
    plain = tiny(matching_aware=False)
    plain.compile()
    outputs = plain.discriminator_objective(fixed_step(plain, (images, text, wrong), z))
    assert set(outputs) == {"d_adv", "d_real", "d_fake"} and outputs["d_adv"].weight == 1.0


def test_generator_objective_adds_gan_int_on_interpolated_captions():
    model = tiny(interpolation_beta=0.25, interpolation_weight=2.0)
    model.compile()
    rng = np.random.default_rng(0)
    for network, name in ((model.generator, "g_text_projection"), (model.discriminator, "d_text_projection")):
        kernel = network.get_layer(name).kernel  # N(0, 1), not N(0, 0.02): the text must matter here
        kernel.assign(rng.normal(size=kernel.shape).astype("float32"))
    images, text, wrong = next(iter(data()))
    z = model.noise(4, seed=3)
    outputs = model.generator_objective(fixed_step(model, (images, text, wrong), z))
    assert outputs["g_int"].weight == 2.0
    h = model.embed_text(text)
    mixed = 0.25 * h + 0.75 * np.roll(h, 1, axis=0)  # β h1 + (1 − β) h2, h2 the next caption
    s = model.discriminate(model.generator([z, mixed]), mixed).numpy().ravel()
    np.testing.assert_allclose(outputs["g_int"].value, np.log1p(np.exp(-s)), rtol=1e-4)
    s = model.discriminate(model.generator([z, h]), h).numpy().ravel()
    np.testing.assert_allclose(outputs["g_adv"].value, np.log1p(np.exp(-s)), rtol=1e-4)


@pytest.mark.parametrize("cls, interp, metrics", [
    (False, False, {"d_loss", "g_loss", "d_real", "d_fake"}),
    (True, False, {"d_loss", "d_adv", "d_cls", "g_loss", "d_real", "d_fake", "d_wrong"}),
    (False, True, {"d_loss", "g_loss", "g_adv", "g_int", "d_real", "d_fake"}),
    (True, True, {"d_loss", "d_adv", "d_cls", "g_loss", "g_adv", "g_int", "d_real", "d_fake", "d_wrong"}),
])
def test_the_four_variants_train_and_report_their_metrics(cls, interp, metrics):
    model = tiny(matching_aware=cls, interpolate=interp, text_pretrain_steps=0)
    model.compile(run_eagerly=not (cls and interp))  # one variant traced as fit() runs it
    g0 = model.generator.trainable_weights[0].numpy().copy()
    history = model.fit(data(), epochs=1, verbose=0)
    assert set(history.history) == metrics
    logs = {k: v[-1] for k, v in history.history.items()}
    # Each phase's loss is the weighted total of its terms (the terms are logged weighted).
    np.testing.assert_allclose(logs["d_loss"], logs.get("d_adv", logs["d_loss"]) + logs.get("d_cls", 0.0), rtol=1e-5)
    np.testing.assert_allclose(logs["g_loss"], logs.get("g_adv", logs["g_loss"]) + logs.get("g_int", 0.0), rtol=1e-5)
    assert model.variant == {(0, 0): "GAN", (1, 0): "GAN-CLS", (0, 1): "GAN-INT", (1, 1): "GAN-INT-CLS"}[(cls, interp)]
    assert not np.array_equal(g0, model.generator.trainable_weights[0].numpy())


@pytest.mark.parametrize("conditioning", ["concat", "projection"])
def test_feature_matching_and_pulling_away_read_d_features_of_image_and_text(conditioning):
    model = tiny(d_conditioning=conditioning, text_pretrain_steps=0)
    model.compile(regularizers=[FeatureMatching(1.0), PullingAway(0.1)], run_eagerly=True)
    images, text, _ = next(iter(data()))
    h = model.embed_text(text)
    logits, features = model.discriminate_features(images, h, training=False)
    np.testing.assert_allclose(logits, model.discriminate(images, h), atol=1e-5)  # one pass, same D
    network = model.discriminator
    default = text_to_image.image_feature_layer(network)
    assert default == {"concat": "joint_act", "projection": "down2_act"}[conditioning]
    hidden = keras.Model(network.inputs, network.get_layer(default).output)
    np.testing.assert_allclose(features, hidden([images, tf.constant(h)]), atol=1e-5)
    other = model.discriminate_features(images[::-1], h, training=False)[1]
    assert not np.allclose(features, other)  # the features see the image (not the text alone)
    history = model.fit(data(), epochs=1, verbose=0)
    logs = {k: v[-1] for k, v in history.history.items()}
    assert logs["feature_matching"] > 0 and logs["pulling_away"] > 0 and all(np.isfinite(list(logs.values())))
    np.testing.assert_allclose(logs["g_loss"], logs["g_adv"] + logs["g_int"] + logs["feature_matching"]
                               + logs["pulling_away"], rtol=1e-5)
    with pytest.raises(GanzooError, match="on='discriminator'"):
        tiny().compile(regularizers=[PullingAway(0.1, on="generator")])


def saved_groups(model, path):
    """The weight groups a .keras file stores (Keras saves every object it finds on the model)."""
    model.save(path)
    with zipfile.ZipFile(path) as archive, archive.open("model.weights.h5") as weights:
        with h5py.File(io.BytesIO(weights.read()), "r") as store:
            groups = set()
            store.visit(groups.add)
    return groups


def test_feature_regularizers_leave_the_saved_structure_unchanged(tmp_path):
    # The .keras files of earlier runs and presets load by these paths: the D-features models
    # that FeatureMatching builds must not join them.
    plain = tiny(text_pretrain_steps=0)
    plain.compile(run_eagerly=True)
    regularized = tiny(text_pretrain_steps=0)
    regularized.compile(regularizers=[FeatureMatching(1.0)], run_eagerly=True)
    regularized.fit(data(), epochs=1, verbose=0)
    assert len(regularized.d_feature_models)  # built, so there is something that could leak
    assert saved_groups(regularized, str(tmp_path / "r.keras")) == saved_groups(plain, str(tmp_path / "p.keras"))


def test_preprocessor_tokenizes_captions_in_the_input_pipeline_not_in_the_step():
    model = tiny(text_pretrain_steps=0)
    model.compile()
    mapped = model.preprocessor.map(data())
    images, ids, wrong = next(iter(mapped))
    assert ids.dtype == tf.int64 and ids.shape == (4, 32) and wrong.shape == (4, 32)
    images_only = tf.data.Dataset.from_tensor_slices(np.zeros((4, 16, 16, 3), np.float32)).batch(2)
    assert model.preprocessor.map(images_only) is images_only
    assert model.preprocessor.map(mapped) is mapped  # ids already: nothing to do
    model.fit(mapped, epochs=1, verbose=0)  # token ids train as strings do
    seen = []
    unpack = model.unpack
    model.unpack = lambda batch: seen.append(batch[1].dtype) or unpack(batch)
    model.compile(run_eagerly=True)
    model.fit(data(), epochs=1, verbose=0)
    assert seen and set(seen) == {tf.int64}  # fit's steps never see a string
    raw = next(iter(data()))
    _, condition = unpack(raw)  # a raw element (a callback's) is tokenized by unpack
    assert condition["ids"].dtype == tf.int64
    np.testing.assert_array_equal(condition["ids"], model.tokenize(raw[1]))


def test_projection_discriminator_adds_the_inner_product_of_features_and_text(tmp_path):
    network = text_to_image.build_discriminator((16, 16, 3), text_dim=8, projection_dim=8, filters=8,
                                                conditioning="projection")
    images = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 3)).astype(np.float32)
    text = np.random.default_rng(1).normal(size=(3, 8)).astype(np.float32)
    features = keras.Model(network.inputs, [network.get_layer("down2_act").output,
                                            network.get_layer("text_feature_map").output,
                                            network.get_layer("unconditional_logit").output])
    h, v, psi = (np.asarray(a) for a in features([images, text]))
    expected = psi[:, 0] + np.sum(h * v, axis=(1, 2, 3))
    np.testing.assert_allclose(np.asarray(network([images, text]))[:, 0], expected, rtol=1e-4, atol=1e-5)
    # The text term is affine in φ(t): with a bag-of-words φ, "blue triangle" scores as
    # "blue" plus "triangle" (inner(a + b) + inner(0) = inner(a) + inner(b)).
    a, b = 30 * text[:1].repeat(3, 0), 30 * text[1:2].repeat(3, 0)  # large enough to bend a ReLU
    inner = lambda t: np.asarray(network([images, t]))[:, 0] - psi[:, 0]  # noqa: E731
    np.testing.assert_allclose(inner(a + b) + inner(0 * a), inner(a) + inner(b), rtol=1e-4, atol=1e-4)
    model = tiny(d_conditioning="projection", text_pretrain_steps=0)
    model.compile(run_eagerly=True)  # eager: quicker for a tiny test
    model.fit(data(), epochs=1, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_config()["d_conditioning"] == "projection"
    h = model.embed_text(["a red circle"])
    np.testing.assert_allclose(loaded.discriminate(images[:1], h), model.discriminate(images[:1], h), atol=1e-5)
    with pytest.raises(GanzooError, match="d_conditioning='sum'"):
        tiny(d_conditioning="sum")


def test_text_encoder_is_pretrained_once_then_frozen():
    model = tiny(text_pretrain_steps=3)
    model.compile(run_eagerly=True)  # eager: quicker for a tiny test
    model.fit(data(), epochs=1, verbose=0)
    assert len(model.pretrain_losses) == 3 and int(model.text_pretrained.numpy()) == 1
    frozen = [w.numpy().copy() for w in model.text_encoder.weights]
    model.fit(data(), epochs=1, verbose=0)
    assert len(model.pretrain_losses) == 3  # not pretrained again
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(frozen, model.text_encoder.weights))


def test_joint_training_updates_the_text_encoder():
    model = tiny(train_text_encoder=True, text_pretrain_steps=0)
    model.compile(run_eagerly=True)  # eager: quicker for a tiny test
    before = [w.numpy().copy() for w in model.text_encoder.weights]
    model.fit(data(), epochs=1, verbose=0)
    assert any(not np.array_equal(a, b.numpy()) for a, b in zip(before, model.text_encoder.weights))



def test_a_frozen_encoder_embeds_both_caption_sets_once_for_d_and_g():
    model = tiny(text_pretrain_steps=0)
    images, captions, wrong = next(iter(data()))
    _, condition = model.unpack(model.preprocessor(images, captions, wrong))
    np.testing.assert_allclose(condition["text"], model.embed_text(captions), atol=1e-5)
    np.testing.assert_allclose(condition["wrong_text"], model.embed_text(wrong), atol=1e-5)
    np.testing.assert_array_equal(model.condition_embedding(condition, True, "wrong_text"), condition["wrong_text"])
    joint_model = tiny(text_pretrain_steps=0, train_text_encoder=True)
    _, joint = joint_model.unpack(joint_model.preprocessor(images, captions, wrong))
    assert "text" not in joint  # trained with D: encoded under D's tape instead

def test_generate_is_seeded_and_follows_the_caption():
    model = tiny()
    a = model.generate(3, seed=4, text="a red circle")
    np.testing.assert_array_equal(a, model.generate(3, seed=4, text="a red circle"))
    assert a.shape == (3, 16, 16, 3) and -1 <= a.min() and a.max() <= 1
    assert not np.allclose(a, model.generate(3, seed=4, text="a huge blue square at the bottom"))
    assert model.generate(10, seed=0).shape == (10, 16, 16, 3)  # sample captions, as SampleGrid asks
    assert model.interpolate_text("a red circle", "a blue square", steps=5).shape == (5, 16, 16, 3)


def test_bad_captions_still_get_images():
    images = tiny().generate(text=BAD_CAPTIONS, seed=0)
    assert images.shape == (4, 16, 16, 3) and np.isfinite(images).all()


@pytest.mark.parametrize("encoder", ["conv_gru", "bag_of_words"])
def test_words_model_builds_its_vocabulary_and_round_trips_through_keras_file(tmp_path, encoder):
    model = tiny(tokens="words", max_tokens=200, text_pretrain_steps=2, encoder=encoder)
    model.compile(run_eagerly=True)  # eager: quicker for a tiny test
    model.fit(data(), epochs=1, verbose=0)
    assert "circle" in model.vocabulary or "disk" in model.vocabulary
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.vocabulary == model.vocabulary and loaded.get_config() == model.get_config()
    z = model.noise(2, seed=1)
    np.testing.assert_allclose(loaded.generate(z=z, text="a big azure box"), model.generate(z=z, text="a big azure box"), atol=1e-5)
    assert int(loaded.text_pretrained.numpy()) == 1


def test_set_weights_without_a_vocabulary_is_refused_and_copying_the_vocabulary_first_reproduces_the_source():
    source = tiny(tokens="words", max_tokens=200, text_pretrain_steps=2)
    source.compile(run_eagerly=True)
    source.fit(data(), epochs=1, verbose=0)
    rebuilt = tiny(tokens="words", max_tokens=200, text_pretrain_steps=2)  # as from the config file: no vocabulary
    with pytest.raises(GanzooError, match=r"set_vocabulary\(source.vocabulary\) first"):
        rebuilt.set_weights(source.get_weights())
    rebuilt.set_vocabulary(source.vocabulary)
    rebuilt.set_weights(source.get_weights())
    z = source.noise(2, seed=1)
    np.testing.assert_allclose(rebuilt.generate(z=z, text="a big azure box"),
                               source.generate(z=z, text="a big azure box"), atol=1e-6)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = tiny(text_pretrain_steps=0)
    path = str(tmp_path_factory.mktemp("export") / "saved_model")
    save_generator(model, path)
    return model, path


def test_export_takes_raw_strings_and_matches_the_model(exported):
    model, path = exported
    served = tf.saved_model.load(path)
    assert set(served.signatures) == {"serving_default", "text_and_z", "text_and_seed"}
    out = served.signatures["serving_default"](text=tf.constant(["a large green square", "a red disk"]))
    assert out["images"].shape == (2, 16, 16, 3)
    z = model.noise(3, seed=2)
    got = served.signatures["text_and_z"](text=tf.constant(["a red circle"]), z=tf.constant(z))["images"]
    np.testing.assert_allclose(got.numpy(), model.generate(z=z, text="a red circle"), atol=1e-5)
    seeded = served.signatures["text_and_seed"]
    np.testing.assert_array_equal(seeded(text=tf.constant(["x", "y"]), seed=tf.constant(3))["images"],
                                  seeded(text=tf.constant(["x", "y"]), seed=tf.constant(3))["images"])


def test_export_answers_bad_strings(exported):
    _, path = exported
    out = tf.saved_model.load(path).signatures["serving_default"](text=tf.constant(BAD_CAPTIONS))
    assert out["images"].shape == (4, 16, 16, 3) and np.isfinite(out["images"].numpy()).all()


@pytest.mark.slow
def test_saved_model_cli_runs_with_a_caption_literal(exported):
    _, path = exported
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    result = subprocess.run(
        [cli, "run", "--dir", path, "--tag_set", "serve", "--signature_def", "serving_default",
         "--input_exprs", 'text=["a large green square", ""]'],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Result for output key images" in result.stdout


def test_bad_arguments_are_clear_errors():
    with pytest.raises(GanzooError, match="makes RGB images"):
        tiny(image_shape=(16, 16, 1))
    with pytest.raises(GanzooError, match="interpolation_beta=1.5"):
        tiny(interpolation_beta=1.5)
    with pytest.raises(GanzooError, match="no vocabulary yet"):
        tiny(tokens="words").generate(text="a red circle")
    model = tiny()
    model.compile()
    with pytest.raises(GanzooError, match="images only"):
        model.fit(tf.data.Dataset.from_tensor_slices(np.zeros((4, 16, 16, 3), np.float32)).batch(2), verbose=0)


def test_config_trains_through_the_train_script_and_serves_strings(tmp_path, monkeypatch, load_file):
    from ganzoo import models
    from ganzoo import train as train_lib

    monkeypatch.setitem(models.MODELS, "text_to_image", TextToImageGAN)  # until registered in ganzoo.models
    monkeypatch.setitem(models.DATA_SHAPE_ARG, "text_to_image", "image_shape")
    config = load_file("configs/text2image_shapes.py").get_config()
    config.model.update(latent_dim=8, projection_dim=8, text_dim=8, encoder_width=8, g_filters=8, d_filters=8,
                        max_length=32, text_pretrain_steps=2)
    config.data.update(image_size=16, num_examples=16)
    config.train.update(epochs=1, steps_per_epoch=2, batch_size=8, num_samples=8, sample_every=1)
    metrics = train_lib.train(config, str(tmp_path), verbose=0)
    assert metrics["steps"] == 2 and {"d_wrong", "g_int"} <= set(metrics["final"])
    served = tf.saved_model.load(str(tmp_path / "saved_model")).signatures["serving_default"]
    assert served(text=tf.constant(["a large green square"]))["images"].shape == (1, 16, 16, 3)
    assert (tmp_path / "samples" / "epoch_0001.png").exists()  # SampleGrid drew the sample captions


def test_reuse_fakes_shares_g_of_z_between_the_last_d_step_and_the_g_step():
    model = tiny(text_pretrain_steps=0)
    model.compile(reuse_fakes=True, run_eagerly=True)
    history = model.fit(data(), epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0]) and int(model.g_optimizer.iterations) == 2
