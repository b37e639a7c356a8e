"""FrontalizationGAN (TP-GAN): its five losses, the two-pathway generator, training, errors, export."""

import numpy as np
import pytest
import tensorflow as tf
import keras

from ganzoo.errors import GanzooError
from ganzoo.export import save_generator
from ganzoo import training
from ganzoo.models.frontalization import identity as identity_lib
from ganzoo.models.frontalization import losses as fl
from ganzoo.models.frontalization import (LOSS_NAMES, CopyByAttention, FrontalizationGAN, LandmarkPatch,
                                          PositionChannels, build_generator)
from ganzoo.training import FeatureMatching, GradientPenalty, PullingAway

SIZE = 32
TINY = dict(image_shape=(SIZE, SIZE, 3), num_identities=4, g_filters=4, local_filters=4, d_filters=4,
            bottleneck=8, identity_filters=4, identity_steps=2)
WEIGHT_ARG = {"l_pixel": "pixel_weight", "l_sym": "sym_weight", "l_adv": "adv_weight",
              "l_ip": "ip_weight", "l_tv": "tv_weight", "l_colour": "colour_weight"}


def batch(n=4, seed=0, landmarks=None):
    rng = np.random.default_rng(seed)
    pose = rng.uniform(-1, 1, (n, SIZE, SIZE, 3)).astype("float32")
    if landmarks is None:
        landmarks = np.tile(np.array([[12, 16], [20, 16], [16, 20], [13, 24], [19, 24]], "float32"), (n, 1, 1))
    info = {"landmarks": landmarks.astype("float32"),
            "frontal": rng.uniform(-1, 1, (n, SIZE, SIZE, 3)).astype("float32"),
            "identity": rng.integers(0, 4, n).astype("int32"), "yaw": rng.choice([0, 45], n).astype("int32")}
    return pose, info


def dataset(n=8):
    return tf.data.Dataset.from_tensor_slices(batch(n)).batch(4, drop_remainder=True)


# ------------------------------------------------------------------ losses

def test_symmetry_loss_is_zero_for_a_symmetric_image_and_positive_otherwise():
    half = np.random.default_rng(0).uniform(-1, 1, (2, 8, 4, 3)).astype("float32")
    symmetric = np.concatenate([half, half[:, :, ::-1]], axis=2)
    np.testing.assert_allclose(fl.symmetry_loss(symmetric).numpy(), 0.0, atol=0)
    image = np.zeros((1, 2, 2, 1), "float32")
    image[0, :, 0] = 1.0  # left column 1, right column 0: |1 - 0| on every left pixel
    np.testing.assert_allclose(fl.symmetry_loss(image).numpy(), [1.0])


def test_total_variation_is_zero_for_a_constant_image_and_sums_the_steps():
    np.testing.assert_allclose(fl.total_variation_loss(np.full((2, 8, 8, 3), 0.7, "float32")).numpy(), 0.0)
    ramp = np.tile(np.arange(4, dtype="float32")[None, None, :, None] * 0.5, (1, 3, 1, 2))  # [1, 3, 4, 2]
    # 3 steps of 0.5 along x, in 3 rows and 2 channels; nothing along y.
    np.testing.assert_allclose(fl.total_variation_loss(ramp).numpy(), [3 * 0.5 * 3 * 2])


def test_pixel_loss_averages_l1_over_scales_against_the_pooled_truth():
    target = np.zeros((1, 4, 4, 1), "float32")
    target[0, :2, :2] = 1.0  # pooled to 2x2: top-left 1
    full = np.full((1, 4, 4, 1), 0.5, "float32")
    half = np.zeros((1, 2, 2, 1), "float32")
    # full scale: mean |0.5 - t| = 0.5; half scale: only the top-left pixel is off by 1 -> 0.25.
    np.testing.assert_allclose(fl.pixel_loss([half, full], target).numpy(), [(0.5 + 0.25) / 2])


def test_identity_loss_sums_mean_l1_of_each_feature_layer():
    a = [np.zeros((2, 3), "float32"), np.zeros((2, 2, 2, 1), "float32")]
    b = [np.ones((2, 3), "float32"), np.full((2, 2, 2, 1), 2.0, "float32")]
    np.testing.assert_allclose(fl.identity_preserving_loss(a, b).numpy(), [3.0, 3.0])


def test_colour_statistics_loss_sees_a_tint_but_not_the_layout():
    image = np.random.default_rng(0).uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    shuffled = image.reshape(2, 64, 3)[:, np.random.default_rng(1).permutation(64)].reshape(image.shape)
    np.testing.assert_allclose(fl.colour_statistics_loss(shuffled, image).numpy(), 0.0, atol=1e-5)
    darker = image.copy()
    darker[..., 0] -= 0.3  # red 0.3 lower, same spread: (0.3 + 0 + 0) / 3 channels
    np.testing.assert_allclose(fl.colour_statistics_loss(darker, image).numpy(), [0.1, 0.1], atol=1e-5)
    flat = np.full_like(image, 0.0)  # the truth's mean is ~0 here; its spread is lost entirely
    np.testing.assert_allclose(fl.colour_statistics_loss(flat, image).numpy(),
                               np.mean(np.abs(image.mean(axis=(1, 2))) + image.std(axis=(1, 2)), axis=1), atol=2e-4)


# ------------------------------------------------------------ generator parts

def test_landmark_patch_crops_the_pixels_around_the_landmark():
    image = np.arange(SIZE * SIZE, dtype="float32").reshape(1, SIZE, SIZE, 1)
    marks = np.array([[[10.5, 12.5]]], "float32")
    patch = LandmarkPatch([0], (4, 6))([image, marks]).numpy()
    np.testing.assert_allclose(patch[0], image[0, 11:15, 8:14], atol=1e-3)


def test_generator_signal_reaches_the_bottleneck_at_init():
    # The identity must pass the fc bottleneck; with DCGAN's N(0, 0.02) init and no normalization
    # it arrived ~1e-6 in scale (a dead path at the start of training).
    keras.utils.set_random_seed(0)
    generator = build_generator((SIZE, SIZE, 3), filters=8, local_filters=4, bottleneck=16)
    probe = keras.Model(generator.inputs, [generator.get_layer(n).output for n in ("fc_mfm", "fc_up_act", "frontal")])
    pose, info = batch()
    bottleneck, decoded, frontal = (np.asarray(t) for t in probe([pose, info["landmarks"]]))
    assert bottleneck.std() > 0.05 and decoded.std() > 0.05
    assert 0.05 < frontal.std() < 0.95  # neither flat nor saturated tanh


def test_copy_by_attention_moves_each_block_to_the_position_its_query_matches():
    # Keys one-hot per half-size position, each query the (scaled) key of a chosen source: the
    # output's 2×2 block at p must be the input's 2×2 block at source[p] (a cyclic shift, which
    # is not its own inverse, so transposed attention would fail too).
    h = w = 4
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (2, 2 * h, 2 * w, 3)).astype("float32")
    keys = np.eye(h * w, dtype="float32").reshape(1, h, w, h * w).repeat(2, axis=0)
    source = np.roll(np.arange(h * w).reshape(h, w), 1, axis=1)             # column j <- column j - 1
    queries = 200.0 * keys.reshape(2, h * w, h * w)[:, source.ravel()].reshape(2, h, w, h * w)
    copied = CopyByAttention(2)([queries, keys, images]).numpy()
    for i in range(h):
        for j in range(w):
            si, sj = divmod(int(source[i, j]), w)
            np.testing.assert_allclose(copied[:, 2 * i:2 * i + 2, 2 * j:2 * j + 2],
                                       images[:, 2 * si:2 * si + 2, 2 * sj:2 * sj + 2], atol=1e-5)
    channels = PositionChannels(2)(np.zeros((1, h, w, 1), "float32")).numpy()
    assert channels.shape == (1, h, w, 9)
    np.testing.assert_allclose(channels[0, 0, :, 4], np.cos(np.pi * ((2 * np.arange(w) + 1) / w - 1)), atol=1e-6)


def test_copy_priors_start_the_attention_at_the_input_or_at_the_landmark_warp():
    # With no learned signal (zero queries and keys) and a narrow prior, the copy is a warp of the
    # input: "identity" gives the input back, and so does "landmarks" when the landmarks sit on
    # the template; landmarks shifted right by 2 pixels shift the copy by one 2x2 block.
    rng = np.random.default_rng(1)
    images = rng.uniform(-1, 1, (2, SIZE, SIZE, 3)).astype("float32")
    zeros = np.zeros((2, SIZE // 2, SIZE // 2, 4), "float32")
    template = [[0.3, 0.4], [0.7, 0.4], [0.5, 0.55], [0.38, 0.7], [0.62, 0.7]]
    on_template = np.tile(np.asarray(template, "float32") * SIZE - 0.5, (2, 1, 1))
    identity = CopyByAttention(2, [], sigma=0.3)([zeros, zeros, images]).numpy()
    np.testing.assert_allclose(identity, images, atol=1e-4)
    warp = CopyByAttention(2, template, sigma=0.3)
    np.testing.assert_allclose(warp([zeros, zeros, images, on_template]).numpy(), images, atol=1e-4)
    shifted = warp([zeros, zeros, images, on_template + np.array([2.0, 0.0], "float32")]).numpy()
    np.testing.assert_allclose(shifted[:, :, :-2], images[:, :, 2:], atol=1e-4)
    with pytest.raises(GanzooError, match="not one of"):
        FrontalizationGAN(**TINY, copy_attention=8, copy_prior="flow")
    with pytest.raises(GanzooError, match="needs the copy pathway"):
        FrontalizationGAN(**TINY, copy_prior="identity")


def test_copy_pathway_blends_copied_and_synthesised_pixels_and_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    model = FrontalizationGAN(**TINY, copy_attention=8, copy_prior="landmarks")
    assert model.get_config()["copy_attention"] == 8 and FrontalizationGAN(**TINY).get_config()["copy_attention"] == 0
    pose, info = batch(3, seed=1)
    generator = model.generator
    probe = keras.Model(generator.inputs, [generator.get_layer(n).output
                                           for n in ("copy", "synthesised", "copy_mask", "frontal")])
    copied, synthesised, mask, frontal = (np.asarray(t) for t in probe([pose, info["landmarks"]]))
    np.testing.assert_allclose(mask, 0.5, atol=1e-6)                       # zero-initialised mask conv
    np.testing.assert_allclose(frontal, 0.5 * copied + 0.5 * synthesised, atol=1e-5)
    expected = model.frontalize(pose, info["landmarks"])
    path = str(tmp_path / "copy.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_config()["copy_attention"] == 8 and loaded.get_config()["copy_prior"] == "landmarks"
    np.testing.assert_allclose(loaded.frontalize(pose, info["landmarks"]), expected, atol=1e-6)


# ------------------------------------------------------------------ training

def tensors(data):
    pose, info = data
    return tf.constant(pose), {k: tf.constant(v) for k, v in info.items()}


def generator_phase(model):
    return next(phase for phase in model.phases() if phase.name == "g")


def generator_update(model, data):
    """The generator's SGD(lr=1) update of one train_step: minus the gradient the generic step applies."""
    real, condition = model.unpack(data)
    step = training.Step(model, real, condition, training=True)
    with tf.GradientTape() as tape:
        total, _ = training.step.evaluate_objective(model, generator_phase(model), step)
    return [-g.numpy() for g in tape.gradient(total, model.generator.trainable_variables)]


def test_generator_objective_returns_the_five_terms_with_the_papers_weights():
    model = FrontalizationGAN(**TINY)
    model.compile()
    real, condition = model.unpack(tensors(batch()))
    terms = model.generator_objective(training.Step(model, real, condition, training=True))
    assert tuple(terms) == LOSS_NAMES == generator_phase(model).terms
    assert {name: term.weight for name, term in terms.items()} == {
        "l_pixel": 1.0, "l_sym": 0.3, "l_adv": 1e-3, "l_ip": 3e-3, "l_tv": 1e-4, "l_colour": 0.0}
    assert all(isinstance(t, training.Term) and t.value.shape == (4,) for t in terms.values())
    # The pixel term is L1 to the truth over the decoder's three scales.
    outputs = model.generator([condition["images"], condition["landmarks"]])
    np.testing.assert_allclose(terms["l_pixel"].value, fl.pixel_loss(outputs, real), rtol=1e-6)
    assert model.metric_names() == ["d_loss", "d_real", "d_fake", "g_loss", *LOSS_NAMES]


def test_each_loss_term_changes_the_generator_update():
    model = FrontalizationGAN(**TINY)
    model.compile()
    data = tensors(batch())
    model.loss_weights_by_name = {**model.loss_weights_by_name, "l_colour": 1.0}  # off by default
    full = generator_update(model, data)
    for a, b in zip(full, generator_update(model, data)):  # the comparison is deterministic
        np.testing.assert_array_equal(a, b)
    paper = dict(model.loss_weights_by_name)
    for name in LOSS_NAMES:
        model.loss_weights_by_name = {**paper, name: 0.0}
        without = generator_update(model, data)
        largest = max(float(np.abs(a - b).max()) for a, b in zip(full, without))
        assert largest > 0.0, f"switching off {name} did not change the update"
    model.loss_weights_by_name = paper


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    model = FrontalizationGAN(**TINY)
    model.compile()
    identity_before = [w.numpy().copy() for w in model.identity_network.weights]
    g_before = model.generator.trainable_weights[0].numpy().copy()
    history = model.fit(dataset(), epochs=1, verbose=0)
    return model, history, identity_before, g_before


def test_fit_trains_the_identity_network_first_and_logs_every_loss(trained):
    model, history, identity_before, g_before = trained
    assert set(LOSS_NAMES) <= set(history.history) and "g_loss" in history.history
    # g_loss is L_syn: the sum of the weighted terms.
    total = sum(history.history[name][-1] for name in LOSS_NAMES)
    assert history.history["g_loss"][-1] == pytest.approx(total, rel=1e-5)
    assert all(isinstance(m, keras.metrics.Mean) for m in model.metrics)
    assert int(model.identity_ready.numpy()) == 1
    assert any(not np.array_equal(a, b.numpy()) for a, b in zip(identity_before, model.identity_network.weights))
    assert not np.array_equal(g_before, model.generator.trainable_weights[0].numpy())
    # Ready now: it is not trained again (fit calls this before the first step).
    assert model.train_identity_network(dataset()) == []


def test_regularizers_join_the_phases_and_pulling_away_on_g_is_refused():
    keras.utils.set_random_seed(0)
    model = FrontalizationGAN(**TINY)
    model.compile(regularizers=[FeatureMatching(1.0), GradientPenalty(10.0), PullingAway(0.1)])
    history = model.fit(dataset(), epochs=1, verbose=0).history
    for name in ("feature_matching", "gradient_penalty", "pulling_away", "g_loss", "d_loss"):
        assert np.isfinite(history[name][-1]) and history[name][-1] > 0, name
    total = sum(history[name][-1] for name in (*LOSS_NAMES, "feature_matching", "pulling_away"))
    assert history["g_loss"][-1] == pytest.approx(total, rel=1e-5)
    with pytest.raises(GanzooError, match="no noise input"):
        FrontalizationGAN(**TINY).compile(regularizers=[PullingAway(0.1, on="generator")])


def test_user_identity_weights_are_loaded_and_not_retrained(tmp_path):
    source = identity_lib.build_identity_network((SIZE, SIZE, 3), 4, 4)
    path = str(tmp_path / "identity.weights.h5")
    source.save_weights(path)
    model = FrontalizationGAN(**{**TINY, "identity_weights": path})
    assert int(model.identity_ready.numpy()) == 1
    assert model.train_identity_network(dataset()) == []
    for a, b in zip(source.weights, model.identity_network.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(GanzooError, match="does not exist"):
        FrontalizationGAN(**{**TINY, "identity_weights": str(tmp_path / "missing.weights.h5")})


def test_save_load_and_serving_give_the_same_frontal(trained, tmp_path):
    model = trained[0]
    pose, info = batch(3, seed=5)
    expected = model.frontalize(pose, info["landmarks"])
    assert expected.shape == (3, SIZE, SIZE, 3) and np.abs(expected).max() <= 1.0
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, FrontalizationGAN) and int(loaded.identity_ready.numpy()) == 1
    np.testing.assert_allclose(loaded.frontalize(pose, info["landmarks"]), expected, atol=1e-5)
    for a, b in zip(model.identity_network.weights, loaded.identity_network.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert loaded.get_config()["sym_weight"] == 0.3 and loaded.get_config()["tv_weight"] == 1e-4
    save_generator(model, str(tmp_path / "saved"))
    serve = tf.saved_model.load(str(tmp_path / "saved")).signatures["serving_default"]
    out = serve(images=tf.constant(pose), landmarks=tf.constant(info["landmarks"]))["frontal"].numpy()
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_generate_frontalizes_the_given_faces_and_reads_no_dataset(trained):
    model = trained[0]
    pose, info = batch(3, seed=2)
    out = model.generate(3, seed=7, images=pose, landmarks=info["landmarks"])
    assert out.shape == (3, SIZE, SIZE, 3) and out.dtype == np.float32 and np.abs(out).max() <= 1.0
    np.testing.assert_array_equal(out, model.generate(images=pose, landmarks=info["landmarks"]))
    np.testing.assert_array_equal(out, model.frontalize(pose, info["landmarks"]))
    with pytest.raises(GanzooError, match="needs images"):
        model.generate(4, seed=0)
    with pytest.raises(GanzooError, match=r"generate\(n=4\) got 3 images"):
        model.generate(4, images=pose, landmarks=info["landmarks"])


def test_models_saved_with_the_retired_preview_arguments_still_load():
    config = {**FrontalizationGAN(**TINY).get_config(), "preview_data": "synthfaces", "preview_options": {}}
    assert "preview_data" not in FrontalizationGAN.from_config(config).get_config()
    with pytest.warns(UserWarning, match="ignores preview_data"):
        FrontalizationGAN(**TINY, preview_data="synthfaces")


# -------------------------------------------------------------------- errors

def test_a_batch_without_landmarks_is_a_clear_error():
    model = FrontalizationGAN(**TINY)
    model.compile()
    pose, info = batch()
    with pytest.raises(GanzooError, match="no landmarks"):
        model.fit(tf.data.Dataset.from_tensor_slices(pose).batch(4), epochs=1, verbose=0)
    del info["landmarks"]
    with pytest.raises(GanzooError, match="no 'landmarks'"):
        model.train_step(tensors((pose, info)))
    with pytest.raises(GanzooError, match="needs images.*nothing here detects landmarks"):
        model.frontalize(pose, None)


def test_wrong_image_size_is_a_clear_error():
    model = FrontalizationGAN(**TINY)
    model.compile()
    with pytest.raises(GanzooError, match=r"\(64, 64, 3\).*takes \(32, 32, 3\)"):
        model.frontalize(np.zeros((1, 64, 64, 3), "float32"), np.full((1, 5, 2), 10.0, "float32"))
    big = (np.zeros((2, 64, 64, 3), "float32"), {"landmarks": np.full((2, 5, 2), 10.0, "float32"),
                                                  "frontal": np.zeros((2, 64, 64, 3), "float32")})
    with pytest.raises(GanzooError, match="data.image_size=32"):
        model.fit(tf.data.Dataset.from_tensor_slices(big).batch(2), epochs=1, verbose=0)
    with pytest.raises(GanzooError, match="not supported"):
        FrontalizationGAN(**{**TINY, "image_shape": (48, 48, 3)})


def test_landmarks_outside_the_image_are_a_clear_error():
    model = FrontalizationGAN(**TINY)
    model.compile()
    outside = np.tile(np.array([[12, 16], [20, 16], [16, 40], [13, 24], [19, 24]], "float32"), (4, 1, 1))
    pose, info = batch(landmarks=outside)
    with pytest.raises(GanzooError, match="image 0 lie outside the 32x32 image"):
        model.frontalize(pose, info["landmarks"])
    with pytest.raises(tf.errors.InvalidArgumentError, match="landmarks outside the 32x32 image"):
        model.unpack(tensors((pose, info)))
    with pytest.raises(GanzooError, match="landmarks have shape"):
        model.frontalize(pose, info["landmarks"][:, :4])
    with pytest.raises(GanzooError, match="template"):
        FrontalizationGAN(**{**TINY, "template": [[0.5, 0.5]] * 4})
