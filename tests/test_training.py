"""The generic step (ganzoo.training): phases, schedules, declared terms, shared fakes, regularizer specs."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import GanzooError
from ganzoo.models import GAN
from ganzoo.training import Phase, Term, regularizers


def networks():
    z = keras.Input((2,))
    g = keras.Model(z, keras.layers.Dense(2)(keras.layers.Dense(8, activation="relu")(z)))
    x = keras.Input((2,))
    d = keras.Model(x, keras.layers.Dense(1)(keras.layers.Dense(8, activation="relu")(x)))
    return g, d


def points(n=16):
    return tf.data.Dataset.from_tensor_slices(np.random.RandomState(0).randn(n, 2).astype("float32")).batch(4)


class FakeWatcher(GAN):
    """Logs how far the fakes each objective saw lie from those D's last update saw."""

    def phases(self):
        d, g = super().phases()
        return [d.with_logs("d_fake_sum"), g.with_logs("fakes_moved")]

    def discriminator_objective(self, step):
        outputs = super().discriminator_objective(step)
        step.shared["d_fakes"] = step.fakes()
        return {**outputs, "d_fake_sum": tf.reduce_sum(step.fakes())}

    def generator_objective(self, step):
        moved = tf.reduce_max(tf.abs(step.fakes() - step.shared["d_fakes"]))
        return {**super().generator_objective(step), "fakes_moved": moved}


@pytest.mark.parametrize("reuse", [True, False])
def test_reuse_fakes_gives_g_the_same_g_of_z_as_ds_last_update(reuse):
    keras.utils.set_random_seed(0)
    gan = FakeWatcher(*networks())
    gan.compile(reuse_fakes=reuse, d_steps=2)
    logs = gan.fit(points(), epochs=1, verbose=0).history
    if reuse:
        assert logs["fakes_moved"][-1] == 0.0
    else:  # fresh noise for G's update (Algorithm 1)
        assert logs["fakes_moved"][-1] > 1e-3


class Scheduled(GAN):
    """G alone on a fixed target for the first 3 steps, then the usual D and G phases."""

    def phases(self):
        d, g = super().phases()
        warm = Phase("warm", ("generator",), "g_optimizer", "warm_objective", terms=("warm",), first_steps=3,
                     evaluate=False)
        return [warm, Phase(**{**d.__dict__, "after_steps": 3}), Phase(**{**g.__dict__, "after_steps": 3})]

    def warm_objective(self, step):
        return {"warm": Term(tf.reduce_sum(tf.square(step.fakes() - 1.0), axis=-1))}


def test_scheduled_phases_switch_at_their_step_and_resume_from_the_step_count():
    keras.utils.set_random_seed(0)
    gan = Scheduled(*networks())
    gan.compile()
    gan.fit(points(8), epochs=1, verbose=0)  # 2 steps: warm-up only
    assert int(gan.d_optimizer.iterations) == 0 and int(gan.g_optimizer.iterations) == 2
    gan.fit(points(16), epochs=1, verbose=0)  # 4 steps: 1 warm-up, then 3 adversarial steps
    assert int(gan.g_optimizer.iterations) == 6 and int(gan.d_optimizer.iterations) == 3
    assert "warm_loss" in gan.metric_names() and "d_loss" in gan.metric_names()


class Undeclared(GAN):
    def generator_objective(self, step):
        return {**super().generator_objective(step), "surprise": Term(tf.zeros([4]))}


def test_an_undeclared_term_is_refused_with_the_phase_and_the_fix():
    gan = Undeclared(*networks())
    gan.compile()
    with pytest.raises(GanzooError, match=r"phase 'g' returned surprise.*Phase\(terms=\.\.\.\)"):
        gan.fit(points(4), epochs=1, verbose=0)


class ScalarTerm(GAN):
    def phases(self):
        d, g = super().phases()
        return [d, g.with_terms("constant")]

    def generator_objective(self, step):
        return {**super().generator_objective(step), "constant": Term(tf.constant(2.0), weight=3.0)}


def test_a_scalar_term_counts_once_per_example_with_its_weight():
    keras.utils.set_random_seed(0)
    gan = ScalarTerm(*networks())
    gan.compile()
    logs = gan.evaluate(points(4), verbose=0, return_dict=True)
    assert logs["constant"] == pytest.approx(6.0)
    assert logs["g_loss"] == pytest.approx(logs["g_adv"] + 6.0, rel=1e-6)


def test_regularizers_from_a_config_spec_and_clear_errors():
    made = regularizers.from_spec({"FeatureMatching": {"weight": 0.5}, "GradientPenalty": {}})
    assert [type(r).__name__ for r in made] == ["FeatureMatching", "GradientPenalty"]
    assert made[0].weight == 0.5 and made[1].weight == 10.0
    with pytest.raises(GanzooError, match="'Mystery', which is not a registered regularizer"):
        regularizers.from_spec({"Mystery": {}})
    with pytest.raises(GanzooError, match="train.regularizers.FeatureMatching has options"):
        regularizers.from_spec({"FeatureMatching": {"wieght": 1.0}})


def test_a_regularizer_for_a_missing_phase_is_refused_at_compile():
    gan = GAN(*networks())

    class OnC(regularizers.Regularizer):
        phase = "c"

    with pytest.raises(GanzooError, match="no 'c' phase"):
        gan.compile(regularizers=[OnC()])


def test_phase_schedule_arithmetic():
    phase = Phase("r", ("discriminator",), "d_optimizer", "x", every=4, after_steps=2, first_steps=11)
    assert [s for s in range(16) if phase.active(s)] == [4, 8]
    with pytest.raises(GanzooError, match="repeats=0"):
        Phase("r", ("discriminator",), "d_optimizer", "x", repeats=0)


def test_feature_regularizers_add_nothing_to_the_saved_file(tmp_path):
    import zipfile

    groups = {}
    for name, regs in (("plain", []), ("features", [regularizers.FeatureMatching(1.0),
                                                    regularizers.PullingAway(0.1, on="generator")])):
        keras.utils.set_random_seed(0)
        gan = GAN(*networks())
        gan.compile(regularizers=regs)
        gan.fit(points(8), epochs=1, verbose=0)
        gan.save(tmp_path / f"{name}.keras")
        with zipfile.ZipFile(tmp_path / f"{name}.keras") as archive:
            import h5py

            archive.extract("model.weights.h5", tmp_path / name)
        with h5py.File(tmp_path / name / "model.weights.h5") as f:
            found = []
            f.visit(lambda key: found.append(key) if "optimizer" not in key else None)
            groups[name] = sorted(found)
        assert keras.models.load_model(tmp_path / f"{name}.keras") is not None
    assert groups["features"] == groups["plain"]


def test_initial_weights_follow_the_seed_in_fresh_processes_that_imported_the_models_first():
    import subprocess
    import sys

    script = (
        "import ganzoo.models, keras, numpy as np, hashlib\n"
        "keras.utils.set_random_seed(3)\n"
        "m = ganzoo.models.DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=4, d_filters=4, minibatch_kernels=4)\n"
        "w = ganzoo.models.WGAN(data_shape=(16, 16, 1), network='dcgan', latent_dim=8, g_filters=4, d_filters=4)\n"
        "print(hashlib.md5(b''.join(np.asarray(v).tobytes() for v in m.get_weights() + w.get_weights())).hexdigest())\n"
    )
    hashes = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
              for _ in range(2)]
    assert hashes[0] == hashes[1] and len(hashes[0].strip()) == 32


def test_generate_refuses_nan_noise_and_empty_requests_in_one_line():
    gan = GAN(*networks())
    with pytest.raises(GanzooError, match="2 NaN or infinite values"):
        gan.generate(0, z=np.array([[np.nan, 0.0], [0.0, np.inf]], "float32"))
    with pytest.raises(GanzooError, match="at least one sample"):
        gan.generate(0)
    with pytest.raises(GanzooError, match="n >= 1"):
        gan.generate(0, z=np.zeros((0, 2), "float32"))
    assert gan.generate(3, seed=0).shape == (3, 2)


def test_served_sampler_refuses_nan_noise():
    gan = GAN(*networks())
    serve, _ = gan.serving_endpoints()["serving_default"]
    assert serve(tf.zeros([2, 2]))["samples"].shape == (2, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="NaN or infinite"):
        serve(tf.constant([[np.nan, 0.0]], tf.float32))


def test_the_custom_loop_switches_scheduled_phases_too():
    from ganzoo import distribute

    keras.utils.set_random_seed(0)
    gan = Scheduled(*networks())
    gan.compile()
    distribute.custom_fit(gan, points(20), tf.distribute.get_strategy(), epochs=1, steps_per_epoch=5, callbacks=[])
    # 3 warm-up steps (G only), then 2 adversarial steps.
    assert int(gan.g_optimizer.iterations) == 5 and int(gan.d_optimizer.iterations) == 2


def test_evaluate_reports_a_loss_for_keras_monitors_and_predict_says_what_it_takes():
    keras.utils.set_random_seed(0)
    gan = GAN(*networks())
    gan.compile()
    logs = gan.evaluate(points(8), verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["g_loss"])
    history = gan.fit(points(8), validation_data=points(8), epochs=1, verbose=0,
                      callbacks=[keras.callbacks.EarlyStopping(patience=1)]).history
    assert "val_loss" in history
    assert gan.predict(gan.noise(3, seed=0), verbose=0).shape == (3, 2)
    with pytest.raises(GanzooError, match=r"predicts from noise z of shape \[n, 2\].*model.generate"):
        gan.predict(np.zeros((4, 5), "float32"), verbose=0)


def test_image_exports_have_a_uint8_sampler_matching_the_float_one(tmp_path):
    from ganzoo import models
    from ganzoo.export import save_generator
    from ganzoo.utils import images

    keras.utils.set_random_seed(0)
    gan = models.DCGAN(image_shape=(16, 16, 1), latent_dim=8, g_filters=4, d_filters=4)
    loaded = tf.saved_model.load(save_generator(gan, str(tmp_path / "export")))
    args = dict(num=tf.constant(3), seed=tf.constant(5))
    floats = loaded.signatures["sample"](**args)["images"].numpy()
    as_uint8 = loaded.signatures["sample_uint8"](**args)["images_uint8"].numpy()
    assert as_uint8.dtype == np.uint8 and as_uint8.shape == (3, 16, 16, 1)
    np.testing.assert_array_equal(as_uint8, images.to_uint8(floats))


def test_began_balance_makes_ds_loss_the_papers_and_steps_k_t_by_hand():
    from ganzoo import remedies
    from ganzoo.training import Step, step as step_lib

    keras.utils.set_random_seed(0)
    gan = GAN(networks()[0], remedies.build_autoencoder_discriminator((2,), (8,), 4))
    gan.compile(loss="began", regularizers=[regularizers.BEGANBalance(gamma=0.5, lambda_k=0.1)])
    gan.k_t.assign(0.3)
    real = tf.constant(np.random.RandomState(2).randn(4, 2).astype("float32"))
    step = Step(gan, real, None, training=False)
    d_phase = gan.phases()[0]
    total, logs = step_lib.evaluate_objective(gan, d_phase, step)
    real_energy = gan.discriminate(real).numpy().reshape(4, -1).mean(axis=1)
    fake_energy = gan.discriminate(step.fakes()).numpy().reshape(4, -1).mean(axis=1)
    # Berthelot et al. 2017: L_D = L(x) − k_t·L(G(z)).
    np.testing.assert_allclose(float(total), np.mean(real_energy - 0.3 * fake_energy), rtol=1e-5)
    np.testing.assert_allclose(float(logs["d_loss"]), np.mean(real_energy - 0.3 * fake_energy), rtol=1e-5)
    assert float(logs["k_t"]) == pytest.approx(0.3)
    gan.regularizers[0].after_update(gan, logs)
    expected = np.clip(0.3 + 0.1 * (0.5 * real_energy.mean() - fake_energy.mean()), 0, 1)
    assert float(gan.k_t.value) == pytest.approx(float(expected), rel=1e-5)
