"""ConditionalDCGAN: AC-GAN's class terms, the projection D, labels in generate and in the SavedModel; the preset."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import presets
from ganzoo.errors import GanzooError
from ganzoo.models import ConditionalDCGAN
from ganzoo.training import FeatureMatching


def tiny(conditioning: str = "auxiliary", **kwargs) -> ConditionalDCGAN:
    keras.utils.set_random_seed(0)
    return ConditionalDCGAN(image_shape=(16, 16, 1), num_classes=3, latent_dim=4, g_filters=4, d_filters=4,
                            conditioning=conditioning, **kwargs)


def labelled(n: int = 8) -> tf.data.Dataset:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (n, 16, 16, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, (np.arange(n) % 3).astype("int32"))).batch(n)


class Recorded:
    """A Step stand-in: fixed real images, labels and fakes."""

    def __init__(self, real, labels, fakes):
        self.real, self.condition, self._fakes, self.training, self.shared = real, labels, fakes, False, {}

    def fakes(self):
        return self._fakes


def test_acgan_objectives_add_the_class_cross_entropy_to_both_players():
    gan = tiny()
    gan.compile()
    real = tf.random.stateless_uniform([6, 16, 16, 1], seed=[1, 2], minval=-1, maxval=1)
    fakes = tf.random.stateless_uniform([6, 16, 16, 1], seed=[3, 4], minval=-1, maxval=1)
    labels = tf.constant([0, 1, 2, 2, 1, 0])
    step = Recorded(real, labels, fakes)
    d = gan.discriminator_objective(step)
    g = gan.generator_objective(step)
    real_logits, real_classes = gan.discriminator(real)
    fake_logits, fake_classes = gan.discriminator(fakes)

    def cross_entropy(logits):  # −log softmax(logits)[label], by hand
        logits = logits.numpy()
        log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return -log_softmax[np.arange(6), labels.numpy()]

    np.testing.assert_allclose(d["d_cls"].value, cross_entropy(real_classes) + cross_entropy(fake_classes), rtol=1e-5)
    np.testing.assert_allclose(g["g_cls"].value, cross_entropy(fake_classes), rtol=1e-5)
    np.testing.assert_allclose(d["d_adv"].value, gan.loss_fn.discriminator(real_logits, fake_logits), rtol=1e-5)
    accuracy = np.mean(np.argmax(real_classes, axis=1) == labels.numpy())
    assert float(d["d_accuracy"]) == pytest.approx(accuracy)
    # classify_fakes=False: D's classifier learns from real images only.
    real_only = tiny(classify_fakes=False, class_weight=0.5)
    real_only.compile()
    term = real_only.discriminator_objective(step)["d_cls"]
    assert term.weight == 0.5
    np.testing.assert_allclose(term.value, real_only.class_loss(labels, real_only.discriminator(real)[1]), rtol=1e-6)


@pytest.mark.parametrize("conditioning", ["auxiliary", "projection"])
def test_conditional_dcgan_trains_samples_chosen_classes_and_round_trips(conditioning, tmp_path):
    gan = tiny(conditioning)
    gan.compile(regularizers=[FeatureMatching(1.0)], run_eagerly=True)
    history = gan.fit(labelled(), epochs=1, verbose=0)
    expected = {"d_loss", "g_loss", "d_real", "d_fake", "feature_matching"}
    if conditioning == "auxiliary":
        expected |= {"d_cls", "g_cls", "d_accuracy"}
    assert expected <= set(history.history) and all(np.isfinite(v[0]) for v in history.history.values())
    images = gan.generate(6, seed=1, labels=[0, 1, 2, 0, 1, 2])
    assert images.shape == (6, 16, 16, 1) and images.dtype == np.float32 and np.abs(images).max() <= 1.0
    # The label changes the image; one id serves all; the default cycles 0, 1, 2, ...
    assert not np.allclose(gan.generate(1, seed=1, labels=[0]), gan.generate(1, seed=1, labels=[1]))
    np.testing.assert_array_equal(gan.generate(3, seed=1, labels=2), gan.generate(3, seed=1, labels=[2, 2, 2]))
    np.testing.assert_array_equal(gan.generate(6, seed=1), images)
    path = str(tmp_path / "m.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is ConditionalDCGAN and loaded.get_config() == gan.get_config()
    np.testing.assert_array_equal(loaded.generate(6, seed=1), images)


def test_saved_model_takes_int32_labels(tmp_path):
    gan = tiny("projection")
    path = gan.export(str(tmp_path / "sm"))
    serving = tf.saved_model.load(path)
    signature = serving.signatures["serving_default"]
    assert signature.structured_input_signature[1]["labels"].dtype == tf.int32
    labels = np.array([2, 0, 1, 1], np.int32)
    z = gan.noise(4, seed=5)
    images = signature(z=tf.constant(z), labels=tf.constant(labels))["images"].numpy()
    np.testing.assert_allclose(images, gan.generate(0, z=z, labels=labels), atol=1e-6)
    sampled = serving.signatures["sample"](num=tf.constant(4), seed=tf.constant(5))
    np.testing.assert_array_equal(sampled["labels"].numpy(), [0, 1, 2, 0])
    np.testing.assert_allclose(sampled["images"].numpy(), gan.generate(4, seed=5), atol=1e-6)
    chosen = serving.signatures["labels_and_seed"](labels=tf.constant(labels), seed=tf.constant(5))["images"]
    np.testing.assert_allclose(chosen.numpy(), images, atol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels must be < 3"):
        signature(z=tf.constant(z), labels=tf.constant([0, 1, 3, 0], tf.int32))


def test_bad_labels_and_unlabelled_data_are_one_line_errors():
    gan = tiny()
    with pytest.raises(GanzooError, match=r"labels must lie in \[0, 3\); got values from 0 to 3"):
        gan.generate(2, labels=[0, 3])
    with pytest.raises(GanzooError, match="pass one integer class id or 2 of them"):
        gan.generate(2, labels=[0, 1, 2])
    with pytest.raises(GanzooError, match="num_classes=1; a conditional model needs >= 2"):
        ConditionalDCGAN(image_shape=(16, 16, 1), num_classes=1)
    with pytest.raises(GanzooError, match="conditioning='concat'; choose from auxiliary, projection"):
        ConditionalDCGAN(image_shape=(16, 16, 1), conditioning="concat")
    gan.compile()
    x = tf.data.Dataset.from_tensor_slices(np.zeros((4, 16, 16, 1), np.float32)).batch(4)
    with pytest.raises(GanzooError, match=r"trains on \(images, labels\) batches; .*with_labels=True"):
        gan.fit(x, epochs=1, verbose=0)


def test_truncation_redraws_only_the_entries_beyond_psi():
    gan = tiny()
    z = gan.noise(64, seed=3)
    truncated = gan.noise(64, seed=3, truncation=0.5)
    assert np.abs(truncated).max() <= 0.5 and np.abs(z).max() > 0.5
    inside = np.abs(z) <= 0.5
    np.testing.assert_array_equal(truncated[inside], z[inside])     # entries within ψ are kept
    assert np.abs(truncated[~inside]).mean() < 0.3                  # the redrawn ones are N(0,1) | |z| <= ψ
    np.testing.assert_array_equal(truncated, gan.noise(64, seed=3, truncation=0.5))  # seeded
    np.testing.assert_array_equal(gan.generate(4, seed=3, truncation=0.5, labels=1),
                                  gan.generate(0, z=truncated[:4], labels=1))
    with pytest.raises(GanzooError, match="truncation=0.0; ψ must be a positive number"):
        gan.generate(2, seed=0, truncation=0.0)


def test_acgan_digits_config_builds_a_labelled_conditional_run(load_file):
    config = load_file("configs/acgan_digits.py").get_config()
    assert config.model.name == "conditional_dcgan" and config.data.with_labels
    ganzoo.config.validate(config)


@pytest.mark.slow
@pytest.mark.skipif("acgan_digits" not in presets.available(), reason="the acgan_digits preset does not ship yet")
def test_acgan_digits_preset_draws_the_class_asked_for_every_class(load_file):
    # benchmarks/sample_quality.py's judge (its CNN on the real digits) on the stored float16 weights:
    # 1,000 samples of noise seed [0, 1], asked for 0, 1, ..., 9 in turn, as the benchmark samples them.
    quality = load_file("benchmarks/sample_quality.py")
    gan = ConditionalDCGAN.from_preset("acgan_digits")
    z = tf.random.stateless_normal([1000, gan.latent_dim], seed=[0, 1]).numpy()
    labels = np.arange(1000) % 10
    classifier, accuracy = quality.train_classifier(32, 1, 0)
    predicted = classifier.predict(gan.generate(0, z=z, labels=labels), verbose=0).argmax(axis=1)
    per_class = [float(np.mean(predicted[labels == c] == c)) for c in range(10)]
    assert accuracy > 0.95, accuracy
    assert min(per_class) >= 0.90, per_class
    recorded = presets.info("acgan_digits")["quality"]["measurements"][-1]["figures"]
    assert recorded["per_class_accuracy"] == pytest.approx(per_class, abs=0.02)


def test_diffaugment_reaches_every_discriminator_input_of_both_conditionings():
    for conditioning in ("auxiliary", "projection"):
        gan = tiny(conditioning)
        gan.compile(augment="diffaugment:translation,cutout")  # builds: the model accepts it
        x = tf.random.stateless_uniform([4, 16, 16, 1], seed=[1, 1], minval=-1, maxval=1)
        labels = tf.constant([0, 1, 2, 0])
        # Augmented in training only: two training calls differ, inference calls do not.
        assert not np.allclose(gan.discriminate(x, labels, training=True), gan.discriminate(x, labels, training=True))
        np.testing.assert_array_equal(gan.discriminate(x, labels), gan.discriminate(x, labels))
