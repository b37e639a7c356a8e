"""Loss-side remedies: pulling-away term, feature matching, BEGAN balance — formulas and wiring."""

import numpy as np
import pytest
import tensorflow as tf
import keras

from ganzoo import config as config_lib
from ganzoo import losses, remedies
from ganzoo.errors import GanzooError
from ganzoo.models import GAN, vanilla


def test_pulling_away_term_is_zero_for_orthogonal_and_one_for_parallel_vectors():
    assert float(losses.pulling_away_term(np.eye(3, dtype="float32"))) == pytest.approx(0.0, abs=1e-7)
    parallel = np.array([[1, 2], [2, 4], [-3, -6]], "float32")
    assert float(losses.pulling_away_term(parallel)) == pytest.approx(1.0, rel=1e-6)
    # Hand-computed: cos²((1,0),(1,1)) = ½, others 0 and ½ -> (2·(½ + 0 + ½)) / (3·2) = 1/3.
    mixed = np.array([[1, 0], [1, 1], [0, 1]], "float32")
    assert float(losses.pulling_away_term(mixed)) == pytest.approx(1 / 3, rel=1e-6)


def test_feature_matching_is_zero_when_mean_features_agree_and_squared_distance_otherwise():
    real = np.array([[1, 2], [3, 4]], "float32")
    same_mean = np.array([[2, 4], [2, 2]], "float32")  # other samples, same mean (2, 3)
    assert float(losses.feature_matching_loss(real, same_mean)) == pytest.approx(0.0, abs=1e-7)
    assert float(losses.feature_matching_loss(real, np.zeros_like(real))) == pytest.approx(4 + 9)


def point_gan(discriminator=None, **kwargs):
    d = discriminator or vanilla.build_discriminator((2,), (16, 16), maxout=False, dropout=0.0)
    return GAN(vanilla.build_generator((2,), 4, (16,)), d, seed=0)


def data(n=16):
    x = np.random.default_rng(0).normal(size=(n, 2)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(16)


def test_feature_matching_and_pulling_away_are_logged_and_zero_on_constant_features():
    gan = point_gan()
    gan.compile(g_optimizer="adam", d_optimizer="adam", feature_matching=1.0, pulling_away=0.5)
    assert gan.metrics_names[-2:] == ["feature_matching", "pulling_away"]
    logs = gan.evaluate(data(), verbose=0, return_dict=True)
    assert logs["feature_matching"] > 0.0 and 0.0 < logs["pulling_away"] <= 0.5
    # A discriminator whose hidden layer ignores its input gives real and fake the same
    # features: feature matching is 0, and parallel features make f_PT = 1 (times 0.5).
    for w in gan.discriminator.weights:
        w.assign(np.ones(w.shape, "float32") if "bias" in w.path else np.zeros(w.shape, "float32"))
    logs = gan.evaluate(data(), verbose=0, return_dict=True)
    assert logs["feature_matching"] == pytest.approx(0.0, abs=1e-7)
    assert logs["pulling_away"] == pytest.approx(0.5, rel=1e-5)


def test_remedy_options_survive_save_and_load(tmp_path):
    gan = point_gan()
    gan.compile(g_optimizer="adam", d_optimizer="adam", feature_matching=0.5, pulling_away=0.1,
                pulling_away_on="generator")
    gan.fit(data(), verbose=0)
    gan.save(tmp_path / "r.keras")
    loaded = keras.models.load_model(tmp_path / "r.keras")
    assert [r.get_config() for r in loaded.regularizers] == [
        {"weight": 0.5, "layer": None}, {"weight": 0.1, "on": "generator", "layer": None}]
    assert "pulling_away" in loaded.fit(data(), verbose=0).history


def test_began_k_update_follows_its_equation_and_is_clipped_to_unit_interval():
    assert float(losses.began_k_update(0.5, 2.0, 0.4, gamma=0.5, lambda_k=0.1)) == pytest.approx(0.5 + 0.1 * (1.0 - 0.4))
    assert float(losses.began_k_update(0.99, 10.0, 0.0, gamma=1.0, lambda_k=1.0)) == 1.0
    assert float(losses.began_k_update(0.01, 0.0, 10.0, lambda_k=1.0)) == 0.0
    assert float(losses.began_convergence(2.0, 0.4, 0.5)) == pytest.approx(2.0 + 0.6)


def test_began_balance_updates_k_t_each_critic_step_and_keeps_it_in_unit_interval():
    gan = point_gan(remedies.build_autoencoder_discriminator((2,), (16,), 4))
    gan.compile(g_optimizer="adam", d_optimizer="adam", loss="began", balance_gamma=0.5, balance_lambda_k=0.1)
    assert float(gan.k_t.numpy()) == 0.0
    logs = gan.fit(data(), epochs=1, verbose=0).history  # one batch, one D step
    want = np.clip(0.1 * (0.5 * logs["d_real"][0] - logs["d_fake"][0]), 0.0, 1.0)
    assert float(gan.k_t.numpy()) == pytest.approx(want, abs=1e-6)
    assert logs["k_t"][0] == 0.0  # logged before the step's update
    assert logs["convergence"][0] == pytest.approx(
        logs["d_real"][0] + abs(0.5 * logs["d_real"][0] - logs["d_fake"][0]), rel=1e-5)
    gan.compile(g_optimizer="adam", d_optimizer="adam", loss="began", balance_gamma=1.0, balance_lambda_k=50.0)
    history = gan.fit(data(), epochs=4, verbose=0).history
    assert all(0.0 <= k <= 1.0 for k in history["k_t"]) and 0.0 <= float(gan.k_t.numpy()) <= 1.0


def test_balance_needs_the_began_loss():
    with pytest.raises(GanzooError, match="loss='began'"):
        point_gan().compile(balance_gamma=0.5)
    with pytest.raises(GanzooError, match="no layer 'nope'"):
        point_gan().compile(feature_matching=1.0, feature_layer="nope")


def test_model_switches_apply_minibatch_discrimination_and_spectral_norm(tmp_path):
    import keras
    from ganzoo.models import DCGAN, VanillaGAN

    gan = VanillaGAN(data_shape=(2,), latent_dim=4, g_units=(8,), d_units=(8,), maxout=False,
                     dropout=0.0, minibatch_kernels=3, spectral_norm=True)
    names = [layer.__class__.__name__ for layer in gan.discriminator.layers]
    assert "MinibatchDiscrimination" in names and "SpectralNorm" in names
    gan.save(tmp_path / "v.keras")
    loaded = keras.models.load_model(tmp_path / "v.keras")
    assert loaded.get_config()["minibatch_kernels"] == 3 and loaded.get_config()["spectral_norm"]
    dcgan = DCGAN(image_shape=(16, 16, 1), latent_dim=4, g_filters=4, d_filters=4, minibatch_kernels=2)
    assert any(layer.name == "minibatch_discrimination" for layer in dcgan.discriminator.layers)


def test_remedies_are_reachable_from_a_config(tmp_path):
    from ganzoo import train as train_lib
    from test_train_script import load_config

    config = load_config("vanilla_ring8")
    config.model.minibatch_kernels = 4
    config.train.feature_matching = 1.0
    config.train.pulling_away = 0.1
    config.train.label_smoothing = 0.1
    config.train.epochs = 1
    config.train.steps_per_epoch = 2
    config.data.num_examples = 512
    metrics = train_lib.train(config, str(tmp_path), verbose=0)
    assert {"feature_matching", "pulling_away"} <= set(metrics["final"])


class _GeneratorSnapshots(keras.callbacks.Callback):
    """G's weights after every train step."""

    def __init__(self):
        super().__init__()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append([w.numpy() for w in self.model.generator.trainable_weights])


def test_weight_averaging_leaves_the_generator_at_the_moving_average_of_its_steps():
    def run(**ema):
        keras.utils.set_random_seed(0)
        gan = point_gan()
        gan.compile(g_optimizer=keras.optimizers.Adam(1e-2, **ema), d_optimizer="adam")
        snapshots = _GeneratorSnapshots()
        gan.fit(data(48), verbose=0, callbacks=[snapshots])  # 3 steps of 16
        return gan, snapshots.steps

    _, raw_steps = run()
    averaged, averaged_steps = run(use_ema=True, ema_momentum=0.5)
    assert len(raw_steps) == 3
    for raw, same in zip(raw_steps, averaged_steps):  # averaging does not change the training
        for a, b in zip(raw, same):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    # Keras's average starts at the first step's weights, then a ← ½a + ½w each step.
    expected = raw_steps[0]
    for step in raw_steps[1:]:
        expected = [0.5 * a + 0.5 * w for a, w in zip(expected, step)]
    final = [w.numpy() for w in averaged.generator.trainable_weights]
    for got, want in zip(final, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert max(np.abs(g - w).max() for g, w in zip(final, raw_steps[-1])) > 1e-4  # not the last step's


@pytest.mark.parametrize("config_file, setting", [
    ("configs/pacgan_grid25.py", "pacgan4_ema"), ("configs/wgan_gp_grid25.py", "wgan_gp_ttur"),
])
def test_grid25_configs_are_the_mode_coverage_benchmarks_runs(load_file, config_file, setting):
    # Each config says it trains what the benchmark measured (and its preset ships): keep them equal.
    module = load_file(config_file)
    shipped = config_lib.to_dict(module.get_config())
    benchmark = load_file("benchmarks/mode_coverage.py")
    measured = config_lib.to_dict(benchmark.experiment(setting, "grid25", 0, module.STEPS, 512))
    for group in ("model", "data"):
        assert shipped[group] == measured[group], group
    keys = ("epochs", "steps_per_epoch", "batch_size", "loss", "d_steps", "g_optimizer", "d_optimizer",
            "steps_per_execution", "jit_compile")
    assert {k: shipped["train"][k] for k in keys} == {k: measured["train"][k] for k in keys}
    assert shipped["train"]["g_optimizer"]["use_ema"]


def test_packed_gradient_penalty_regularizer_draws_one_epsilon_per_pack_and_norms_each_pack(monkeypatch):
    import types

    from ganzoo.training import GradientPenalty, PullingAway, regularizers

    # A packing-2 critic ½‖pack‖²: its gradient is x̂ itself. real = 1, fake = 0, so x̂ = ε per row
    # and a pack's penalty is (√(d(ε_a² + ε_b²)) − 1)², with ε_a = ε_b: one ε a pack.
    d, seen = 3, {}
    penalty_of = regularizers.losses_lib.gradient_penalty

    def spy(critic, real, fake, epsilon=None, **kwargs):
        seen["epsilon"] = epsilon.numpy()
        return penalty_of(critic, real, fake, epsilon=epsilon, **kwargs)

    monkeypatch.setattr(regularizers.losses_lib, "gradient_penalty", spy)
    model = types.SimpleNamespace(
        packing=2, discriminate=lambda x, c, training=False: 0.5 * tf.reduce_sum(tf.square(tf.reshape(x, [-1, 2 * d])), 1))
    step = types.SimpleNamespace(real=tf.ones([8, d]), fakes=lambda: tf.zeros([8, d]), condition=None, training=True)
    regularizer = GradientPenalty(weight=10.0, seed=3)
    regularizer.build(model)
    term = regularizer(model, step, {})["gradient_penalty"]
    epsilon = seen["epsilon"]
    assert epsilon.shape == (8, 1) and len(np.unique(epsilon)) == 4
    np.testing.assert_array_equal(epsilon[0::2], epsilon[1::2])
    assert np.all((0.0 <= epsilon) & (epsilon < 1.0))
    want = (np.sqrt(d * (epsilon[0::2, 0] ** 2 + epsilon[1::2, 0] ** 2)) - 1.0) ** 2
    np.testing.assert_allclose(term.value, want, rtol=1e-5)
    assert term.weight == 10.0
    # D reads G(z)'s features once a G step when a regularizer asks for them (shared with the adversarial term).
    assert PullingAway(on="discriminator").needs_fake_features and not PullingAway(on="generator").needs_fake_features


def test_pulling_away_build_checks_the_network_it_reads_and_only_that_one():
    import types

    from ganzoo.training import PullingAway

    def refuse(name):
        def check(*args):
            raise GanzooError(f"no {name} features")
        return check

    d_only = types.SimpleNamespace(check_feature_layer=lambda layer, user: None, generator_features=refuse("G"))
    g_only = types.SimpleNamespace(check_feature_layer=refuse("D"), generator_features=lambda noise: None)
    PullingAway(on="discriminator").build(d_only)
    PullingAway(on="generator").build(g_only)
    with pytest.raises(GanzooError, match="no D features"):
        PullingAway(on="discriminator").build(g_only)
    with pytest.raises(GanzooError, match="no G features"):
        PullingAway(on="generator").build(d_only)


def test_began_balance_takes_gamma_in_0_1_and_lambda_k_from_0_and_keeps_k_t_out_of_training():
    import types

    from ganzoo.training import BEGANBalance

    for gamma in (0.0, -0.1, 1.01):
        with pytest.raises(GanzooError, match=r"must be in \(0, 1\]"):
            BEGANBalance(gamma=gamma)
    assert BEGANBalance(gamma=1.0, lambda_k=0.0).lambda_k == 0.0  # λ_k = 0: k_t stays put, allowed
    with pytest.raises(GanzooError, match="must be >= 0"):
        BEGANBalance(lambda_k=-1e-3)
    model = types.SimpleNamespace(loss_fn=losses.get("began"))
    BEGANBalance().build(model)
    assert not model.k_t.trainable  # k_t moves by its own rule, never by an optimizer


def test_zero_shorthand_weights_turn_the_regularizers_off_without_an_error():
    from ganzoo.training import regularizers

    options = {"feature_matching": 0.0, "pulling_away": 0, "pulling_away_on": "generator", "feature_layer": None}
    assert regularizers.from_shorthands(options) == [] and options == {}
