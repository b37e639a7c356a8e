"""CycleGAN: hand-computed terms, the history pool, phases, schedule, round trips, any-size serving, errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.errors import GanzooError
from ganzoo.export import save_generator
from ganzoo.models.cyclegan import CycleGAN, HistoryPool, LinearDecay, build_discriminator, l1_per_example
from ganzoo.training import Step
from ganzoo.training.step import evaluate_objective, phase_variables


def tiny(**kwargs):
    options = dict(image_shape=(8, 8, 1), base_filters=4, num_blocks=1, d_filters=4, d_layers=1, pool_size=4)
    options.update(kwargs)
    return CycleGAN(**options)


def images(n=4, size=8, channels=1, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)).astype("float32")


def unpaired(n=4, size=8):
    return tf.data.Dataset.from_tensor_slices((images(n, size), images(n, size, seed=1))).batch(2, drop_remainder=True)


def weights(network):
    return [w.numpy().copy() for w in network.trainable_weights]


def changed(before, network):
    return any(not np.array_equal(a, b.numpy()) for a, b in zip(before, network.trainable_weights))


def zero_weights(*networks):
    for network in networks:
        network.set_weights([np.zeros_like(w) for w in network.get_weights()])


def test_l1_per_example_is_the_mean_absolute_difference_of_each_example():
    x = tf.constant([[[[1.0], [-1.0]], [[0.5], [0.0]]], [[[0.0], [0.0]], [[0.0], [2.0]]]])
    y = tf.zeros_like(x)
    np.testing.assert_allclose(l1_per_example(x, y), [(1 + 1 + 0.5 + 0) / 4, 2 / 4])


def test_terms_equal_hand_computed_values_with_zero_networks():
    # Zero weights: both generators output tanh(0) = 0 and both discriminators score 0 on every
    # patch, so every term has a closed form in the inputs alone.
    model = tiny(cycle_weight=10.0, identity_weight=0.5)
    model.compile()
    zero_weights(model.generator, model.generator_ba, model.discriminator, model.discriminator_a)
    a = np.full((2, 8, 8, 1), 0.5, "float32")
    a[1] = -0.25
    b = np.full((2, 8, 8, 1), -1.0, "float32")
    step = Step(model, tf.constant(b), {"a": tf.constant(a)}, training=False)
    g_phase, d_phase = model.phases()
    total, logs = evaluate_objective(model, g_phase, step)
    # cycle_a = λ·|F(G(a)) − a| = 10·|a|: 5 and 2.5 per example -> mean 3.75; cycle_b = 10·1
    np.testing.assert_allclose(logs["cycle_a"], 3.75, rtol=1e-6)
    np.testing.assert_allclose(logs["cycle_b"], 10.0, rtol=1e-6)
    # identity_a = 0.5·λ·|F(a) − a| = 5·|a| -> 1.875; identity_b = 5·|G(b) − b| = 5
    np.testing.assert_allclose(logs["identity_a"], 1.875, rtol=1e-6)
    np.testing.assert_allclose(logs["identity_b"], 5.0, rtol=1e-6)
    # The paper's least-squares G term (D(G(a)) − 1)² = 1 on every patch, for each direction.
    np.testing.assert_allclose(logs["adv_a"], 1.0, rtol=1e-6)
    np.testing.assert_allclose(logs["adv_b"], 1.0, rtol=1e-6)
    np.testing.assert_allclose(total, 1 + 1 + 3.75 + 10 + 1.875 + 5, rtol=1e-6)
    # D: ½[(D(real) − 1)² + D(fake)²] = ½ for each discriminator: the paper's halved loss.
    total, logs = evaluate_objective(model, d_phase, step)
    np.testing.assert_allclose([logs["d_a"], logs["d_b"], total], [0.5, 0.5, 1.0], rtol=1e-6)


def test_identity_weight_zero_drops_the_identity_terms():
    model = tiny(identity_weight=0.0)
    model.compile()
    assert "identity_a" not in model.metric_names() and "cycle_a" in model.metric_names()


def test_history_pool_stores_while_filling_then_returns_past_images_half_the_time():
    pool = HistoryPool(size=4, seed=3)
    pool.build((None, 1, 1, 1))
    first = np.arange(4, dtype="float32").reshape(4, 1, 1, 1)
    np.testing.assert_array_equal(pool(first), first)  # not full: the inputs come back
    assert int(pool.count.numpy()) == 4
    np.testing.assert_array_equal(np.sort(pool.images.numpy().ravel()), [0, 1, 2, 3])
    old, stored = 0, set(range(4))
    for i in range(500):
        new = np.full((4, 1, 1, 1), 100.0 + 4 * i, "float32") + np.arange(4, dtype="float32").reshape(4, 1, 1, 1)
        out = pool(new).numpy().ravel()
        for value, fresh in zip(out, new.ravel()):
            if value != fresh:
                assert value in stored  # a past image, from the pool
                old += 1
        stored |= set(new.ravel().tolist())
    assert 0.45 < old / 2000 < 0.55, old / 2000
    assert int(pool.count.numpy()) == 4


def test_pool_size_zero_returns_the_inputs():
    pool = HistoryPool(size=0)
    pool.build((None, 2, 2, 1))
    x = images(3, 2)
    np.testing.assert_array_equal(pool(x), x)


def test_phases_update_only_the_networks_they_name():
    model = tiny()
    g_phase, d_phase = model.phases()
    assert g_phase.networks == ("generator", "generator_ba") and d_phase.networks == ("discriminator", "discriminator_a")
    g_vars = {id(v) for v in phase_variables(model, g_phase)}
    d_vars = {id(v) for v in phase_variables(model, d_phase)}
    assert not g_vars & d_vars
    # A frozen D optimizer (rate 0): only the generators move, and the reverse.
    for g_rate, d_rate in ((1e-3, 0.0), (0.0, 1e-3)):
        model = tiny()
        generators, discriminators = (model.generator, model.generator_ba), (model.discriminator, model.discriminator_a)
        moving, still = (generators, discriminators) if g_rate else (discriminators, generators)
        model.compile(g_optimizer=keras.optimizers.Adam(g_rate), d_optimizer=keras.optimizers.Adam(d_rate))
        before = {id(n): weights(n) for n in moving + still}
        model.fit(unpaired(), epochs=1, verbose=0)
        assert all(changed(before[id(n)], n) for n in moving)
        assert not any(changed(before[id(n)], n) for n in still)


def test_fit_reports_every_term_and_fills_the_pools():
    model = tiny()
    model.compile()
    history = model.fit(unpaired(8), epochs=1, verbose=0)
    assert set(history.history) == {"g_loss", "adv_b", "adv_a", "cycle_a", "cycle_b", "identity_a",
                                    "identity_b", "d_loss", "d_b", "d_a", "d_real", "d_fake"}
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    assert int(model.pool_a.count.numpy()) == int(model.pool_b.count.numpy()) == 4
    assert model.step_count() == 4


def test_keras_round_trip_keeps_config_weights_and_pools(tmp_path):
    model = tiny(base_filters=3, identity_weight=0.0, cycle_weight=7.0)
    model.compile()
    model.fit(unpaired(), epochs=1, verbose=0)
    path = str(tmp_path / "cg.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, CycleGAN) and loaded.get_config() == model.get_config()
    x = images(2)
    np.testing.assert_allclose(loaded.a_to_b(x), model.a_to_b(x), atol=1e-6)
    np.testing.assert_allclose(loaded.b_to_a(x), model.b_to_a(x), atol=1e-6)
    np.testing.assert_array_equal(loaded.pool_b.images.numpy(), model.pool_b.images.numpy())
    assert loaded.step_count() == model.step_count()


def test_generate_translates_either_way_and_any_size():
    model = tiny()
    a, b = images(3, 10), images(3, 14, seed=2)
    out = model.generate(3, a=a)
    assert out.shape == (3, 10, 10, 1) and out.dtype == np.float32 and np.abs(out).max() <= 1
    np.testing.assert_allclose(out, model.a_to_b(a))
    np.testing.assert_allclose(model.generate(2, b=b), model.b_to_a(b[:2]))
    both = model.generate(4, a=images(2), b=images(2, seed=1))
    np.testing.assert_allclose(both[:2], model.a_to_b(images(2)))
    np.testing.assert_allclose(both[2:], model.b_to_a(images(2, seed=1)))
    uint8 = model.generate(1, a=np.full((1, 8, 8, 1), 255, np.uint8))
    np.testing.assert_allclose(uint8, model.a_to_b(np.ones((1, 8, 8, 1), "float32")), atol=1e-6)
    with pytest.raises(GanzooError, match="generate\\(n, a=images\\)"):
        model.generate(4, seed=0)
    with pytest.raises(GanzooError, match="\\[n, h, w, 1\\]"):
        model.generate(1, a=images(1, channels=3))


def test_padding_leaves_sizes_that_are_multiples_of_four_untouched():
    model = tiny()
    x = images(2, 12)
    np.testing.assert_allclose(model.translate(model.generator, x), model.generator(x), atol=1e-6)


def test_export_serves_both_ways_at_any_size(tmp_path):
    model = tiny()
    path = save_generator(model, str(tmp_path / "export"))
    served = tf.saved_model.load(path)
    assert {"a_to_b", "b_to_a", "a_to_b_uint8", "b_to_a_uint8", "serving_default"} <= set(served.signatures)
    for size in (28, 40, 30):
        x = images(2, size)
        out = served.signatures["a_to_b"](images=tf.constant(x))["images"].numpy()
        assert out.shape == x.shape
        np.testing.assert_allclose(out, model.a_to_b(x), atol=1e-5)
        back = served.signatures["b_to_a"](images=tf.constant(x))["images"].numpy()
        np.testing.assert_allclose(back, model.b_to_a(x), atol=1e-5)
        pixels = np.round((x + 1) * 127.5).astype(np.uint8)
        out8 = served.signatures["b_to_a_uint8"](images=tf.constant(pixels))["images"].numpy()
        assert out8.dtype == np.uint8 and out8.shape == x.shape
        want = np.round((np.clip(model.b_to_a(pixels), -1, 1) + 1) * 127.5)
        assert np.abs(out8.astype(int) - want).max() <= 1


def test_mismatched_channels_between_domains_fail_clearly():
    model = tiny()
    model.compile()
    data = tf.data.Dataset.from_tensor_slices((images(2), images(2, channels=3))).batch(2)
    with pytest.raises(GanzooError, match="A has 1, B has 3"):
        model.fit(data, epochs=1, verbose=0)
    with pytest.raises(GanzooError, match="not a pair"):
        model.unpack(tf.constant(images(2)))


@pytest.mark.parametrize("kwargs, message", [
    (dict(image_shape=(10, 10, 1)), "multiples of 4"),
    (dict(downsamplings=-1), "downsamplings=-1 must be >= 0"),
    (dict(cycle_weight=-1.0), "must be >= 0"),
    (dict(pool_size=-1), "must be >= 0"),
    (dict(edge_kernel=4), "edge_kernel=4 must be odd"),
    (dict(structure_weight=-0.5), "structure_weight=-0.5"),
    (dict(semantic_weight=-1.0), "semantic_weight=-1.0"),
    (dict(semantic_weight=1.0, semantic_classes=12, semantic_clusters=10), "semantic_clusters=10"),
    (dict(semantic_weight=1.0, semantic_examples=5), "semantic_examples=5"),
    (dict(semantic_weight=1.0, semantic_classifier="mlp"), "semantic_classifier='mlp' is not one of"),
])
def test_bad_arguments_fail_with_one_line(kwargs, message):
    with pytest.raises(GanzooError, match=message):
        tiny(**kwargs)


def test_compile_refuses_a_custom_loss_or_extra_d_steps():
    with pytest.raises(GanzooError, match="d_steps=1"):
        tiny().compile(d_steps=2)


def test_linear_decay_is_constant_then_linear_to_zero():
    schedule = LinearDecay(2e-4, constant_steps=100, decay_steps=50)
    values = [float(schedule(s)) for s in (0, 100, 125, 150, 400)]
    np.testing.assert_allclose(values, [2e-4, 2e-4, 1e-4, 0.0, 0.0], atol=1e-12)
    config = keras.optimizers.schedules.serialize(schedule)
    again = keras.optimizers.schedules.deserialize(config)
    assert isinstance(again, LinearDecay) and again.get_config() == schedule.get_config()


def test_patch_discriminator_is_the_70x70_patchgan_with_three_stride2_layers():
    d = build_discriminator(3, base_filters=64, stride2_layers=3)
    convs = [layer for layer in d.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [64, 128, 256, 512, 1]
    assert [c.strides[0] for c in convs] == [2, 2, 2, 1, 1] and all(c.kernel_size == (4, 4) for c in convs)
    # Receptive field of 4x4 kernels at strides 2, 2, 2, 1, 1: 70 pixels.
    field, jump = 1, 1
    for c in convs:
        field += (c.kernel_size[0] - 1) * jump
        jump *= c.strides[0]
    assert field == 70
    assert d(np.zeros((1, 64, 64, 3), "float32")).shape == (1, 8, 8, 1)


def test_each_term_differentiates_through_the_networks_the_paper_names():
    model = tiny()
    model.compile()
    a, b = tf.constant(images(2)), tf.constant(images(2, seed=1))
    with tf.GradientTape(persistent=True) as tape:
        terms = model.generator_objective(Step(model, b, {"a": a}, training=True))
    g, f = model.generator.trainable_variables, model.generator_ba.trainable_variables
    uses = {name: (any(x is not None for x in tape.gradient(term.value, g)),
                   any(x is not None for x in tape.gradient(term.value, f))) for name, term in terms.items()}
    # (through G: A -> B, through F: B -> A)
    assert uses == {"adv_b": (True, False), "adv_a": (False, True), "cycle_a": (True, True),
                    "cycle_b": (True, True), "identity_a": (False, True), "identity_b": (True, False)}


def test_preview_rows_show_input_translation_and_reconstruction_both_ways():
    model = tiny()
    a, b = images(4), images(4, seed=1)
    rows = model.preview_rows((tf.constant(a), tf.constant(b)), 4)
    assert rows.shape == (12, 8, 8, 1)
    np.testing.assert_array_equal(rows[:4], np.concatenate([a[:2], b[:2]]))
    np.testing.assert_allclose(rows[4:6], model.a_to_b(a[:2]))
    np.testing.assert_allclose(rows[6:8], model.b_to_a(b[:2]))
    np.testing.assert_allclose(rows[8:10], model.b_to_a(model.a_to_b(a[:2])))
    np.testing.assert_allclose(rows[10:], model.a_to_b(model.b_to_a(b[:2])))


def test_weights_file_carries_pools_and_both_optimizers_for_resume(tmp_path):
    model = tiny()
    model.compile()
    model.fit(unpaired(), epochs=1, verbose=0)
    path = str(tmp_path / "backup.weights.h5")
    model.save_weights(path)
    resumed = tiny()
    resumed.compile()
    resumed.load_weights(path)
    assert resumed.step_count() == model.step_count() == 2
    assert int(resumed.d_optimizer.iterations.numpy()) == 2
    np.testing.assert_array_equal(resumed.pool_a.images.numpy(), model.pool_a.images.numpy())
    assert int(resumed.pool_a.count.numpy()) == 4
    for mine, theirs in zip(resumed.g_optimizer.variables, model.g_optimizer.variables):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    x = images(2)
    np.testing.assert_allclose(resumed.b_to_a(x), model.b_to_a(x), atol=1e-6)


def test_receptive_field_of_the_paper_generator_and_full_resolution_option():
    from ganzoo.models.cyclegan import build_generator, receptive_field

    # c7s1 (7) + two stride-2 3x3 (+2, +4) + 18 convs at 1/4 (+144) + two ½-strided 3x3 (+4, +2) + c7s1 (+6)
    assert receptive_field(build_generator(3, 8, 9)) == 169
    assert receptive_field(build_generator(1, 8, 1, downsamplings=0)) == 7 + 4 + 6
    model = tiny(image_shape=(6, 6, 1), downsamplings=0)
    assert model.get_config()["downsamplings"] == 0
    assert model.generate(1, a=images(1, 7)).shape == (1, 7, 7, 1)
    assert tiny().get_config()["downsamplings"] == 2  # None: the paper's


def test_edge_kernel_sets_the_first_and_last_convolutions_and_round_trips(tmp_path):
    from ganzoo.models.cyclegan import build_generator, receptive_field

    # 3x3 ends (+2, +2) around one block's two 3x3 convs (+4): 9 pixels instead of 17
    assert receptive_field(build_generator(1, 8, 1, downsamplings=0, edge_kernel=3)) == 1 + 2 + 4 + 2
    model = tiny(downsamplings=0, edge_kernel=3)
    assert model.generator.get_layer("c7s1").kernel.shape[:2] == (3, 3)
    assert model.generator_ba.get_layer("out").kernel.shape[:2] == (3, 3)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, compile=False)
    assert loaded.get_config()["edge_kernel"] == 3
    np.testing.assert_allclose(loaded.a_to_b(images(2)), model.a_to_b(images(2)), atol=1e-6)
    assert tiny().get_config()["edge_kernel"] == 7  # the paper's c7s1


def test_handmade_translator_swaps_polarity_and_fits_the_other_domains_box():
    from repo_files import load_file

    bench = load_file("benchmarks/cyclegan.py")
    a = -np.ones((1, 16, 16, 1), np.float32)
    a[0, :, 6:10] = 1.0  # a handwritten "1": a light bar filling the height, on black
    b = bench.handmade_a_to_b(a)
    assert b.shape == a.shape and b.min() >= -1.0 and b.max() <= 1.0
    side, top = 12, 2  # 0.75 of 16, centred
    assert np.all(b[0, :top] == 1.0) and np.all(b[0, top + side:] == 1.0)  # white paper around it
    np.testing.assert_allclose(b[0, top:top + side, 8], -1.0, atol=1e-5)  # the bar, now dark ink, 12 rows high
    back = bench.handmade_b_to_a(b)
    assert back.max() == pytest.approx(1.0)  # peak ink is light
    np.testing.assert_allclose(back[0, :, 8], 1.0, atol=1e-5)  # the bar fills the height again
    np.testing.assert_allclose(back[0, :, 0], -1.0, atol=1e-5)  # on black
    np.testing.assert_allclose(bench.handmade_b_to_a(np.ones((1, 16, 16, 1), np.float32)), -1.0)  # blank page


def test_configs_validate_offline_and_horse2zebra_is_the_papers_recipe():
    from repo_files import load_file

    from ganzoo import config as config_lib

    for name in ("cyclegan_digits", "cyclegan_horse2zebra"):
        config_lib.validate(load_file(f"configs/{name}.py").get_config())  # no download: names only
    config = load_file("configs/cyclegan_horse2zebra.py").get_config()
    model = config_lib.to_dict(config)["model"]
    assert {k: model[k] for k in ("base_filters", "num_blocks", "d_filters", "d_layers", "cycle_weight",
                                  "identity_weight", "pool_size")} == dict(
        base_filters=64, num_blocks=9, d_filters=64, d_layers=3, cycle_weight=10.0, identity_weight=0.5, pool_size=50)
    assert config.data.name == "unpaired:tfds:cycle_gan/horse2zebra|tfds:cycle_gan/horse2zebra"
    assert (config.data.split_a, config.data.split_b, config.data.image_size) == ("{split}A", "{split}B", 256)
    assert config.train.batch_size == 1 and config.train.loss == "least_squares"
    epoch = config.train.steps_per_epoch
    optimizer = config_lib.make_optimizer(config.train.g_optimizer, "g_optimizer")
    spec = config_lib.to_dict(config)["train"]["g_optimizer"]["learning_rate"]
    assert spec["class_name"] == "ganzoo>LinearDecay"
    schedule = LinearDecay(**spec["config"])
    assert config.train.epochs == 200
    np.testing.assert_allclose([float(schedule(s)) for s in (0, 100 * epoch, 150 * epoch, 200 * epoch)],
                               [2e-4, 2e-4, 1e-4, 0.0], atol=1e-9)
    assert optimizer.beta_1 == 0.5


def test_warp_starts_as_the_identity_learns_a_zoom_and_round_trips(tmp_path):
    from ganzoo.models.cyclegan import build_generator, receptive_field

    # The warp sees the whole image but is not counted in the local generator's field.
    assert receptive_field(build_generator(1, 8, 1, downsamplings=0, warp=True)) == 7 + 4 + 6
    model = tiny(downsamplings=0, warp=True, pool_size=0)
    x = images(2)
    for network in (model.generator, model.generator_ba):
        warp = keras.Model(network.input, network.get_layer("warp").output)
        np.testing.assert_allclose(warp(x), x, atol=1e-6)   # zero parameters: the identity
    model.compile()
    model.fit(unpaired(), epochs=2, verbose=0)
    params = [network.get_layer("warp_params").bias.numpy() for network in (model.generator, model.generator_ba)]
    assert all(np.abs(p).max() > 0 for p in params), params   # both generators' warps train
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, compile=False)
    assert loaded.get_config()["warp"] is True
    np.testing.assert_allclose(loaded.b_to_a(images(2, 12)), model.b_to_a(images(2, 12)), atol=1e-6)
    assert "warp" not in [layer.name for layer in tiny().generator.layers]   # off by default


def ring(box=(2, 14, 4, 12), size=16):
    """A light '9' on black: a ring in the box's upper half and a stem down its right side,
    [1, size, size, 1] in [-1, 1]. No symmetry, so a flip changes its descriptor."""
    x = -np.ones((1, size, size, 1), "float32")
    top, bottom, left, right = box
    middle = (top + bottom) // 2 + 1
    x[0, top:middle, left:right] = 1.0
    x[0, top + 2:middle - 2, left + 2:right - 2] = -1.0
    x[0, top:bottom, right - 2:right] = 1.0
    return x


def assert_terms_train_both_generators(model, step, prefix):
    """``{prefix}_a`` + ``{prefix}_b`` have gradients in G (through G(a)) and in F (through F(b))."""
    with tf.GradientTape() as tape:
        terms = model.generator_objective(step)
        loss = tf.reduce_mean(terms[f"{prefix}_a"].value) + tf.reduce_mean(terms[f"{prefix}_b"].value)
    grads = tape.gradient(loss, model.generator.trainable_weights + model.generator_ba.trainable_weights)
    n = len(model.generator.trainable_weights)
    assert any(float(tf.reduce_max(tf.abs(g))) > 0 for g in grads[:n] if g is not None)   # G
    assert any(float(tf.reduce_max(tf.abs(g))) > 0 for g in grads[n:] if g is not None)   # F


def test_structure_term_is_one_minus_the_cosine_of_shape_descriptors():
    model = tiny(image_shape=(16, 16, 1), structure_weight=3.0)
    model.compile()
    assert {"structure_a", "structure_b"} <= set(model.metric_names())
    off = tiny()
    off.compile()
    assert "structure_a" not in off.metric_names()          # off by default
    x = ring()
    # The same shape drawn dark on light, smaller, elsewhere: near 0; a bar instead of a ring: far.
    def distance(y):
        return float(model.structure_distance(tf.constant(y), tf.constant(x))[0])

    assert distance(-np.roll(x, (1, -2), axis=(1, 2))) < 1e-3
    small = -np.ones_like(x)
    small[0, 3:15, 1:13] = tf.image.resize(x, [12, 12], method="area").numpy()[0]
    assert distance(-small) < 0.25                            # three quarters the size
    bar = -np.ones_like(x)
    bar[0, 2:14, 7:9] = 1.0
    assert distance(bar) > 0.6 and distance(x[:, ::-1]) > 0.3   # a '1', and the '9' upside down (a '6')
    # Zero networks translate everything to a blank page, whose descriptor is zero: cosine 0, so
    # each term is the weight times 1.
    zero_weights(model.generator, model.generator_ba, model.discriminator, model.discriminator_a)
    a, b = np.concatenate([x, ring((4, 12, 4, 12))]), np.concatenate([-x, -x])
    step = Step(model, tf.constant(b), {"a": tf.constant(a)}, training=False)
    _, logs = evaluate_objective(model, model.phases()[0], step)
    np.testing.assert_allclose([logs["structure_a"], logs["structure_b"]], [3.0, 3.0], rtol=1e-6)


def test_structure_term_trains_both_generators_and_round_trips(tmp_path):
    model = tiny(image_shape=(16, 16, 1), structure_weight=1.0, pool_size=0)
    model.compile()
    step = Step(model, tf.constant(-np.concatenate([ring(), ring()])),
                {"a": tf.constant(np.concatenate([ring(), ring((4, 12, 4, 12))]))}, training=True)
    assert_terms_train_both_generators(model, step, "structure")
    path = str(tmp_path / "s.keras")
    model.save(path)
    assert keras.saving.load_model(path, compile=False).get_config()["structure_weight"] == 1.0


def test_balanced_assignment_moves_a_cluster_whose_class_is_taken_to_its_second_vote():
    from ganzoo.models.cyclegan.semantic import balanced_assignment

    # Three A clusters and three classes of equal mass. Cluster 1 votes 60/40 for class 2 over
    # class 1, but cluster 2 fills class 2 (90%): each class takes one cluster, as argmax would not.
    votes = np.array([[100, 0, 0], [0, 40, 60], [0, 10, 90]], float)
    thirds = np.full(3, 1 / 3)
    assert list(votes.argmax(1)) == [0, 2, 2]
    assert list(balanced_assignment(votes, thirds, thirds)) == [0, 1, 2]
    # Masses decide: with class 2 twice as large, both clusters may take it.
    assert list(balanced_assignment(votes, thirds, np.array([0.34, 0.0001, 0.6599]))) == [0, 2, 2]



def test_refined_names_follow_how_the_clusters_relate_where_the_votes_are_split():
    from ganzoo.models.cyclegan.semantic import refine_names

    # Rows 2 and 3 split their votes evenly between the two columns. In A, row 2 is near row 0
    # (cosine 0.9) and row 3 near row 1; in B the columns are far apart (0.5): the relations name
    # row 2 like row 0 and row 3 like row 1, where the votes alone leave them as they started.
    votes = np.array([[100, 0], [0, 100], [50, 50], [50, 50]], float)
    quarters, halves = np.full(4, 1 / 4), np.full(2, 1 / 2)
    related_a = np.array([[1.0, 0.5, 0.9, 0.5], [0.5, 1.0, 0.5, 0.9], [0.9, 0.5, 1.0, 0.5], [0.5, 0.9, 0.5, 1.0]])
    related_b = np.array([[1.0, 0.5], [0.5, 1.0]])
    start = np.array([0, 1, 1, 0])
    assert list(refine_names(votes, quarters, halves, related_a, related_b, start)) == [0, 1, 0, 1]
    assert list(refine_names(votes, quarters, halves, related_a, related_b, start, relation_weight=0.0)) == [0, 1, 1, 0]
    assert list(start) == [0, 1, 1, 0]                                              # not changed in place

def test_shape_classes_are_matched_across_domains_without_labels():
    from ganzoo.models.cyclegan.semantic import match_shape_classes

    rng = np.random.default_rng(0)
    # Three classes; B draws each near one prototype, A near two modes per class ("styles"),
    # each mode nearer its own prototype than any other. The classes must come out named alike.
    prototypes = np.eye(3, 12) * 4.0 + 0.5
    styles = rng.normal(0, 0.6, (3, 2, 12))
    labels_b = np.repeat(np.arange(3), 40)
    desc_b = prototypes[labels_b] + rng.normal(0, 0.1, (120, 12))
    labels_a = np.repeat(np.arange(3), 40)
    desc_a = prototypes[labels_a] + styles[labels_a, np.tile(np.arange(2), 60)] + rng.normal(0, 0.1, (120, 12))
    match = match_shape_classes(desc_a, desc_b, clusters_a=6, classes=3, seed=0)
    # Class names are B's cluster numbers: the same digit has the same name on both sides.
    names = {int(c): int(label) for c, label in zip(match["labels_b"], labels_b)}
    assert len(names) == 3
    assert [names[int(c)] for c in match["labels_a"]] == list(labels_a)
    assert match["centroids_a"].shape == (6, 12) and match["centroids_b"].shape == (3, 12)
    with pytest.raises(GanzooError, match="at least 6 images of A"):
        match_shape_classes(desc_a[:5], desc_b, clusters_a=6, classes=3)


def test_shape_class_logits_of_a_take_the_best_cluster_of_each_class():
    from ganzoo.models.cyclegan.semantic import ShapeClasses

    layer = ShapeClasses(features=2, clusters_a=3, classes=3, temperature=10.0)
    layer.assign({"centroids_a": np.array([[1, 0], [0, 1], [0.6, 0.8]], "float32"), "names_a": np.array([0, 1, 0]),
                  "centroids_b": np.array([[1, 0], [0, 1], [-1, 0]], "float32")})
    desc = tf.constant([[0.6, 0.8], [0.0, 2.0]])
    # Class 0 has clusters 0 and 2 (cos 0.6 and 1.0 for the first row): the larger. Class 2 has none.
    np.testing.assert_allclose(layer.logits_a(desc).numpy(), [[10.0, 8.0, -10.0], [8.0, 10.0, -10.0]], atol=1e-5)
    np.testing.assert_allclose(layer.logits_b(desc).numpy(), [[6.0, 8.0, -6.0], [0.0, 10.0, 0.0]], atol=1e-5)
    assert list(layer.classes_of_a(desc).numpy()) == [0, 1] and list(layer.classes_of_b(desc).numpy()) == [1, 1]


def test_semantic_term_finds_classes_once_trains_both_generators_and_round_trips(tmp_path):
    model = tiny(image_shape=(16, 16, 1), semantic_weight=1.0, semantic_clusters=4, semantic_classes=2,
                 semantic_examples=8, pool_size=0)
    model.compile(run_eagerly=True)   # two fits of two steps: tracing would be most of the time
    assert {"semantic_a", "semantic_b"} <= set(model.metric_names()) and not model.shape_classes.is_fitted
    with pytest.raises(GanzooError, match="tf.data.Dataset of \\(a, b\\) batches"):
        model.fit((images(8, 16), images(8, 16)), epochs=1, verbose=0)
    data = tf.data.Dataset.from_tensor_slices((images(8, 16), images(8, 16, seed=1))).batch(4)
    history = model.fit(data, epochs=1, verbose=0)
    assert model.shape_classes.is_fitted and np.isfinite(history.history["semantic_a"][-1])
    centroids = model.shape_classes.centroids_b.numpy().copy()
    model.fit(data.map(lambda a, b: (-a, b)), epochs=1, verbose=0)       # found once: not again
    np.testing.assert_array_equal(model.shape_classes.centroids_b.numpy(), centroids)
    step = Step(model, tf.constant(images(4, 16, seed=1)), {"a": tf.constant(images(4, 16))}, training=True)
    assert_terms_train_both_generators(model, step, "semantic")
    path = str(tmp_path / "c.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, compile=False)
    assert {k: loaded.get_config()[k] for k in ("semantic_weight", "semantic_clusters", "semantic_classes",
                                                 "semantic_examples")} == {
        "semantic_weight": 1.0, "semantic_clusters": 4, "semantic_classes": 2, "semantic_examples": 8}
    assert loaded.shape_classes.is_fitted
    np.testing.assert_array_equal(loaded.shape_classes.centroids_b.numpy(), centroids)


def test_semantic_term_is_the_cross_entropy_of_the_translations_class_logits():
    model = tiny(image_shape=(16, 16, 1), semantic_weight=2.0, semantic_clusters=2, semantic_classes=2,
                 semantic_examples=2)
    model.compile()
    x = ring()
    nine, six = x, x[:, ::-1]

    def described(*shapes):
        return model.shape_descriptor(tf.constant(np.concatenate(shapes))).numpy()

    model.shape_classes.assign({"centroids_a": described(nine, six), "names_a": np.array([1, 0]),
                                "centroids_b": described(six, nine)})
    a, b = np.concatenate([x, x[:, ::-1]]), np.concatenate([-x, -x[:, ::-1]])
    step = Step(model, tf.constant(b), {"a": tf.constant(a)}, training=False)
    terms = model.generator_objective(step)
    desc = {k: model.shape_descriptor(v) for k, v in (("fb", step.shared["fake_b"]), ("fa", step.shared["fake_a"]))}
    # a's classes: cluster 0 (x) is class 1, cluster 1 (upside down) class 0; b's: x is class 1.
    classes = np.array([1, 0])
    expected_a = keras.losses.sparse_categorical_crossentropy(classes, model.shape_classes.logits_b(desc["fb"]),
                                                              from_logits=True)
    expected_b = keras.losses.sparse_categorical_crossentropy(classes, model.shape_classes.logits_a(desc["fa"]),
                                                              from_logits=True)
    np.testing.assert_allclose(terms["semantic_a"].value.numpy(), expected_a.numpy(), rtol=1e-5)
    np.testing.assert_allclose(terms["semantic_b"].value.numpy(), expected_b.numpy(), rtol=1e-5)
    assert terms["semantic_a"].weight == 2.0


def rings_and_bars(n=16, seed=0):
    """``n`` light '9's and ``n`` light bars ('1's) at random shifts, labels 0 and 1, [2n, 16, 16, 1]."""
    rng = np.random.default_rng(seed)
    nines = [ring((2 + dy, 14 + dy, 4 + dx, 12 + dx)) for dy, dx in rng.integers(-2, 3, (n, 2))]
    bars = []
    for dy, dx in rng.integers(-2, 3, (n, 2)):
        bar = -np.ones((1, 16, 16, 1), "float32")
        bar[0, 3 + dy:13 + dy, 7 + dx:9 + dx] = 1.0
        bars.append(bar)
    return np.concatenate(nines + bars), np.repeat([0, 1], n)


def test_class_net_learns_the_classes_it_is_given():
    from ganzoo.models.cyclegan.semantic import build_class_net, train_class_net

    x, labels = rings_and_bars()
    net = build_class_net((16, 16, 1), 2, "net", seed=0)
    before = [w.copy() for w in net.get_weights()]
    assert train_class_net(net, x, labels, epochs=10, seed=0) == 1.0
    assert any(not np.array_equal(w, v) for w, v in zip(before, net.get_weights()))
    held_out, held_labels = rings_and_bars(8, seed=1)
    assert np.mean(np.argmax(net(held_out, training=False).numpy(), axis=1) == held_labels) >= 0.9
    swapped = build_class_net((16, 16, 1), 2, "swapped", seed=0)              # the labels, not a fixed order
    train_class_net(swapped, x, 1 - labels, epochs=10, seed=0)
    assert np.mean(np.argmax(swapped(held_out, training=False).numpy(), axis=1) == 1 - held_labels) >= 0.9


def test_cnn_semantic_term_trains_the_class_nets_once_then_only_the_generators(tmp_path):
    model = tiny(image_shape=(16, 16, 1), semantic_weight=2.0, semantic_clusters=2, semantic_classes=2,
                 semantic_examples=32, semantic_classifier="cnn", pool_size=0)
    model.compile(run_eagerly=True)   # short fits: tracing would be most of the time
    x, _ = rings_and_bars()
    data = tf.data.Dataset.from_tensor_slices((x, -x[::-1])).batch(8)
    initial = model.class_net_b.get_weights()
    match = model.fit_shape_classes(data)
    assert match["fit_class_net_a"] >= 0.9 and match["fit_class_net_b"] >= 0.9
    assert model.shape_classes.is_fitted
    trained_a, trained_b = model.class_net_a.get_weights(), model.class_net_b.get_weights()
    assert any(not np.array_equal(w, v) for w, v in zip(initial, trained_b))
    model.fit(data, epochs=1, verbose=0)                                          # fitted: not again
    for net, trained in ((model.class_net_a, trained_a), (model.class_net_b, trained_b)):
        assert all(np.array_equal(w, v) for w, v in zip(trained, net.get_weights()))   # fixed by the steps
    # The term: CE of B's net on G(a) against A's net's class of a, and the other way round.
    step = Step(model, tf.constant(-x[::3]), {"a": tf.constant(x[1::3])}, training=False)
    terms = model.generator_objective(step)
    class_a = np.argmax(model.class_net_a(x[1::3]).numpy(), axis=1)
    class_b = np.argmax(model.class_net_b(-x[::3]).numpy(), axis=1)
    assert len(set(class_a)) == 2                                                 # both classes present
    expected_a = keras.losses.sparse_categorical_crossentropy(class_a, model.class_net_b(step.shared["fake_b"]),
                                                              from_logits=True)
    expected_b = keras.losses.sparse_categorical_crossentropy(class_b, model.class_net_a(step.shared["fake_a"]),
                                                              from_logits=True)
    np.testing.assert_allclose(terms["semantic_a"].value.numpy(), expected_a.numpy(), rtol=1e-5)
    np.testing.assert_allclose(terms["semantic_b"].value.numpy(), expected_b.numpy(), rtol=1e-5)
    assert terms["semantic_a"].weight == 2.0 and "structure_a" not in terms
    assert_terms_train_both_generators(model, Step(model, step.real, step.condition, training=True), "semantic")
    path = str(tmp_path / "cnn.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, compile=False)
    assert loaded.get_config()["semantic_classifier"] == "cnn" and loaded.shape_classes.is_fitted
    assert all(np.array_equal(w, v) for w, v in zip(trained_b, loaded.class_net_b.get_weights()))
