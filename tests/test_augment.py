"""Augmentation of D's inputs (issue 23): DiffAugment's ops, ADA's adaptive p, the compile option.

Zhao et al. 2020 (arXiv 2006.10738) and Karras et al. 2020 (arXiv 2006.06676); ganzoo.ops.augment
holds the ops, ganzoo.training.augment the remedies.
"""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.config import base_config, validate
from ganzoo.errors import GanzooError
from ganzoo.models import DCGAN, VanillaGAN
from ganzoo.ops import augment as ops
from ganzoo.training import AdaptiveAugment, DiffAugment
from ganzoo.training.augment import ada_update


def images(n=4, size=8, channels=3, seed=0):
    return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)).astype("float32"))


def uniforms(names, n=4, seed=1):
    return tf.constant(np.random.default_rng(seed).uniform(0, 1, (n, ops.uniforms_needed(names))).astype("float32"))


# Each op alone, with the range its output stays in for inputs in [-1, 1].
RANGES = {"brightness": 1.5, "saturation": 3.0, "contrast": 2.0, "translation": 1.0, "cutout": 1.0,
          "xflip": 1.0, "rot90": 1.0}


@pytest.mark.parametrize("name", sorted(RANGES))
def test_each_op_keeps_shape_dtype_and_range_and_passes_gradients(name):
    x = images()
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = ops.augment(x, (name,), uniforms((name,)))
        loss = tf.reduce_sum(y ** 2)
    gradient = tape.gradient(loss, x)
    assert y.shape == x.shape and y.dtype == x.dtype
    assert float(tf.reduce_max(tf.abs(y))) <= RANGES[name] + 1e-6
    assert gradient is not None and np.isfinite(gradient.numpy()).all() and float(tf.reduce_max(tf.abs(gradient))) > 0
    assert not np.allclose(y.numpy(), x.numpy())  # every op changes something (p = 1)


def test_translation_shifts_by_whole_pixels_filling_with_zero():
    x = images(n=1, size=8, channels=1)
    # u picks shift ⌊u·5⌋ − 2 (ratio 1/8 of 8 -> at most 1 pixel: ⌊u·3⌋ − 1): rows +1, columns −1.
    y = ops.translation(x, tf.constant([0.9]), tf.constant([0.1])).numpy()[0, ..., 0]
    expected = np.zeros((8, 8), np.float32)
    expected[1:, :-1] = x.numpy()[0, :-1, 1:, 0]
    np.testing.assert_allclose(y, expected)


def test_cutout_zeroes_one_square_of_half_the_side():
    x = tf.ones([1, 8, 8, 1])
    y = ops.cutout(x, tf.constant([0.5]), tf.constant([0.5])).numpy()[0, ..., 0]
    # centre ⌊0.5 · 9⌋ = 4 on both axes, side 4: rows and columns 2..5.
    expected = np.ones((8, 8), np.float32)
    expected[2:6, 2:6] = 0
    np.testing.assert_array_equal(y, expected)


def test_rot90_and_color_ops_match_their_formulas():
    x = images(n=1, size=4, channels=3)
    np.testing.assert_allclose(ops.rot90(x, tf.constant([0.3])).numpy()[0], np.rot90(x.numpy()[0], k=1), atol=1e-6)
    np.testing.assert_allclose(ops.brightness(x, tf.constant([0.75])), x + 0.25, atol=1e-6)
    mean = tf.reduce_mean(x)
    np.testing.assert_allclose(ops.contrast(x, tf.constant([1.0])), mean + 1.5 * (x - mean), atol=1e-6)
    gray = x[..., :1] * tf.ones([1, 1, 1, 3])
    np.testing.assert_allclose(ops.saturation(gray, tf.constant([0.9])), gray, atol=1e-6)


def test_probability_gates_each_op_per_image():
    names = ops.parse_policy("color,translation,cutout")
    x, u = images(n=64), uniforms(names, n=64)
    np.testing.assert_array_equal(ops.augment(x, names, u, 0.0).numpy(), x.numpy())
    changed = np.any(ops.augment(x, ("cutout",), u[:, :3], 0.5).numpy() != x.numpy(), axis=(1, 2, 3))
    gates = u.numpy()[:, 0] < 0.5
    np.testing.assert_array_equal(changed, gates)


def test_policy_errors_name_the_bad_op_and_the_choices():
    with pytest.raises(GanzooError, match="names 'blur'; use a comma-separated list of color"):
        ops.parse_policy("color,blur")
    with pytest.raises(GanzooError, match="augment='mixup' is unknown; use 'diffaugment', 'ada'"):
        DCGAN(image_shape=(16, 16, 1), latent_dim=4, g_filters=4, d_filters=4).compile(augment="mixup")
    config = base_config()
    config.model.name, config.data.name = "dcgan", "digits"
    config.train.augment = "diffaugment:color,zoom"
    with pytest.raises(GanzooError, match="'zoom'"):
        validate(config)


def test_config_option_reaches_compile_through_the_train_script():
    from ganzoo import train as train_lib

    config = base_config()
    config.model.name, config.data.name = "dcgan", "digits"
    config.train.augment = "ada:translation,cutout"
    validate(config)
    gan = tiny()
    train_lib.compile_model(gan, config.to_dict()["train"])
    assert [type(r) for r in gan.regularizers] == [AdaptiveAugment]
    assert gan.regularizers[0].ops == ("translation", "cutout") and float(gan.ada_p.value) == 0.0


def tiny(**kwargs):
    return DCGAN(image_shape=(16, 16, 1), latent_dim=4, g_filters=4, d_filters=4, batch_norm=False, **kwargs)


def data(n=16):
    return tf.data.Dataset.from_tensor_slices(images(n=n, size=16, channels=1).numpy()).batch(8)


def test_every_d_input_is_augmented_in_training_only_and_g_gets_gradients_through_it():
    gan = tiny()
    gan.compile(augment="diffaugment")
    x = images(n=8, size=16, channels=1)
    assert gan.augment_inputs(x, training=False) is x
    assert not np.allclose(gan.augment_inputs(x, training=True), x)
    np.testing.assert_allclose(gan.discriminate(x, training=False), gan.discriminator(x, training=False))
    assert not np.allclose(gan.discriminate(x, training=True), gan.discriminator(x, training=True))
    _, features = gan.discriminate_features(x, None, True)
    _, plain = gan.discriminate_features(x, None, False)
    assert not np.allclose(features, plain)
    z = gan.noise(8, seed=0)
    with tf.GradientTape() as tape:
        score = tf.reduce_sum(gan.discriminate(gan.generate_fakes(z, training=True), training=True))
    gradients = tape.gradient(score, gan.generator.trainable_variables)
    assert all(g is not None and float(tf.reduce_max(tf.abs(g))) > 0 for g in gradients)


def test_compile_option_round_trips_and_models_without_it_save_no_new_state(tmp_path):
    plain = tiny()
    plain.compile()
    assert not any("ada_p" in v.path for v in plain.weights)
    gan = tiny()
    gan.compile(augment="diffaugment:translation,cutout")
    assert [type(r) for r in gan.regularizers] == [DiffAugment] and gan.regularizers[0].ops == ("translation", "cutout")
    gan.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert [r.get_config() for r in loaded.regularizers] == [gan.regularizers[0].get_config()]


def test_augmentation_refuses_models_it_cannot_reach():
    points = VanillaGAN(data_shape=(2,), latent_dim=2)
    with pytest.raises(GanzooError, match="DiffAugment augments images; VanillaGAN makes samples of shape"):
        points.compile(augment="diffaugment")
    with pytest.raises(GanzooError, match="AdaptiveAugment reads r_t = E\\[sign\\(D\\(x\\)\\)\\]"):
        tiny().compile(loss="wasserstein", augment="ada")


def fixed_d_with_bias(bias, initial_p, speed_kimg=1.0):
    """A DCGAN whose D never changes (SGD at rate 0) and says sign(D(x)) = sign(bias) on everything."""
    gan = tiny()
    gan.discriminator.get_layer("logit").bias.assign([bias])
    gan.discriminator.get_layer("logit").kernel.assign(tf.zeros_like(gan.discriminator.get_layer("logit").kernel))
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0),
                regularizers=[AdaptiveAugment("translation,cutout", speed_kimg=speed_kimg, initial_p=initial_p)])
    return gan


def test_ada_p_rises_when_d_overfits_and_falls_when_it_does_not():
    # 2 steps of batch 8 an epoch, 1 kimg for 0 -> 1: p moves 8 / 1000 per D update, towards r_t = 0.6.
    gan = fixed_d_with_bias(+5.0, initial_p=0.1)  # overfits: r_t = E[sign(D(x))] = 1 > 0.6
    history = gan.fit(data(), epochs=1, verbose=0).history
    assert float(gan.ada_p.value) == pytest.approx(0.1 + 2 * 0.008, abs=1e-6)
    assert history["ada_rt"] == [1.0] and history["ada_p"][0] == pytest.approx(0.1 + 0.004, abs=1e-6)
    gan.discriminator.get_layer("logit").bias.assign([-5.0])  # does not: r_t = -1 < 0.6
    history = gan.fit(data(), epochs=2, verbose=0).history
    assert history["ada_rt"] == [-1.0, -1.0]
    assert float(gan.ada_p.value) == pytest.approx(0.116 - 4 * 0.008, abs=1e-6)
    assert float(ada_update(0.005, -1.0, 0.6, 8, 1.0)) == 0.0  # clipped at 0
    assert float(ada_update(0.995, 1.0, 0.6, 64, 1.0)) == 1.0  # and at 1


def test_resume_keeps_ada_p_in_checkpoints_and_keras_files(tmp_path):
    gan = fixed_d_with_bias(+5.0, initial_p=0.2)
    gan.fit(data(8), epochs=1, verbose=0)
    p = float(gan.ada_p.value)
    assert p == pytest.approx(0.208, abs=1e-6)
    gan.save_weights(tmp_path / "w.weights.h5")
    resumed = fixed_d_with_bias(+5.0, initial_p=0.0)
    resumed.load_weights(tmp_path / "w.weights.h5")
    assert float(resumed.ada_p.value) == pytest.approx(p)
    gan.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert float(loaded.ada_p.value) == pytest.approx(p)
    assert loaded.regularizers[0].get_config() == gan.regularizers[0].get_config()


def test_augmentation_under_mixed_float16_keeps_dtypes_and_gives_g_finite_scaled_gradients():
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        gan = tiny()
        gan.compile(augment="ada")
    finally:
        keras.config.set_dtype_policy(previous)
    gan.ada_p.assign(1.0)
    x = images(n=4, size=16, channels=1)
    assert gan.regularizers[0].discriminator_inputs(gan, tf.cast(x, "float16")).dtype == tf.float16
    with tf.GradientTape() as tape:
        fakes = gan.generate_fakes(gan.noise(4, seed=0), training=True)
        scaled = gan.g_optimizer.scale_loss(tf.reduce_mean(gan.discriminate(fakes, training=True)))
    gradients = tape.gradient(scaled, gan.generator.trainable_variables)
    assert all(np.isfinite(g.numpy()).all() for g in gradients) and any(np.abs(g.numpy()).max() > 0 for g in gradients)


MIRRORED = textwrap.dedent(
    """
    import json, os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np, tensorflow as tf, keras
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from ganzoo.distribute import get_strategy
    from ganzoo.models import DCGAN
    from ganzoo.training import AdaptiveAugment

    def model(strategy):
        keras.utils.set_random_seed(0)
        with strategy.scope():
            gan = DCGAN(image_shape=(16, 16, 1), latent_dim=4, g_filters=4, d_filters=4, batch_norm=False)
            gan.compile(regularizers=[AdaptiveAugment("translation,cutout", speed_kimg=1.0, initial_p=0.5)])
        return gan

    same = np.ones((8, 16, 16, 1), np.float32)  # identical images: only the augmentation differs
    out = {}
    for name in ("default", "mirrored"):
        strategy = get_strategy(name)
        gan = model(strategy)
        augment = gan.regularizers[0]
        dist = strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensors(same))
        result = strategy.run(tf.function(lambda x: augment.discriminator_inputs(gan, x)), args=(next(iter(dist)),))
        rows = np.concatenate([t.numpy() for t in strategy.experimental_local_results(result)])
        history = gan.fit(tf.data.Dataset.from_tensor_slices(same).batch(8), epochs=1, verbose=0).history
        p = float(keras.ops.convert_to_numpy(gan.ada_p))
        out[name] = {"rows": rows.reshape(8, -1).tolist(), "p": p, "rt": history["ada_rt"][0]}
    print(json.dumps(out))
    """
)


@pytest.mark.slow
def test_replicas_augment_with_distinct_randomness_the_numbers_one_replica_would_use():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p))
    done = subprocess.run([sys.executable, "-c", MIRRORED], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    one, two = np.array(out["default"]["rows"]), np.array(out["mirrored"]["rows"])
    assert not np.allclose(two[:4], two[4:])  # replica 1's images are not replica 0's copies
    np.testing.assert_allclose(two, one, atol=1e-6)  # and together they are one replica's global batch
    assert out["mirrored"]["p"] == pytest.approx(out["default"]["p"], abs=1e-6)
