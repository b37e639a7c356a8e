"""SRGAN: sub-pixel layout, shapes for 2/3/4x, the phases, round trips, tiled any-size serving, errors."""

import json
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo.data import photos
from ganzoo.errors import GanzooError
from ganzoo.export import save_generator
from ganzoo.models import srgan as srgan_lib
from ganzoo.models.srgan import SRGAN, PixelShuffle


def tiny(**kwargs):
    options = dict(lr_shape=(8, 8, 3), scale=4, num_blocks=1, g_filters=8, d_filters=4, d_dense=8,
                   content_loss="mse")
    options.update(kwargs)
    return SRGAN(**options)


def pairs(n=4, lr_size=8, scale=4, seed=0):
    rng = np.random.default_rng(seed)
    hr = rng.uniform(-1, 1, (n, lr_size * scale, lr_size * scale, 3)).astype("float32")
    lr = photos.downscale(hr, scale).numpy()
    return tf.data.Dataset.from_tensor_slices((lr, hr)).batch(2, drop_remainder=True)


def weights(network):
    return [w.numpy().copy() for w in network.trainable_weights]


def changed(before, network):
    return any(not np.array_equal(a, b.numpy()) for a, b in zip(before, network.trainable_weights))


@pytest.mark.parametrize("factor", [2, 3])
def test_pixel_shuffle_matches_the_numpy_sub_pixel_layout(factor):
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 4 * factor * factor)).astype("float32")
    out = PixelShuffle(factor)(x).numpy()
    b, h, w, c = x.shape
    expected = x.reshape(b, h, w, factor, factor, c // factor**2).transpose(0, 1, 3, 2, 4, 5)
    expected = expected.reshape(b, h * factor, w * factor, c // factor**2)
    np.testing.assert_array_equal(out, expected)
    # Spot check of the definition: out[h·r + i, w·r + j, k] = in[h, w, (i·r + j)·C + k].
    assert out[0, 1 * factor + 1, 2 * factor + 0, 3] == x[0, 1, 2, (1 * factor + 0) * 4 + 3]


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_generator_upscales_any_size_by_the_scale(scale):
    generator = srgan_lib.build_generator(scale=scale, num_blocks=1, filters=8)
    out = generator(np.zeros((2, 5, 7, 3), "float32"))
    assert out.shape == (2, 5 * scale, 7 * scale, 3)
    shuffles = [layer.factor for layer in generator.layers if isinstance(layer, PixelShuffle)]
    assert shuffles == {2: [2], 3: [3], 4: [2, 2]}[scale]


def test_generator_has_the_papers_blocks():
    generator = srgan_lib.build_generator(num_blocks=16)
    assert len([l for l in generator.layers if l.name.endswith("_add")]) == 16
    assert generator.get_layer("head").kernel_size == (9, 9) and generator.get_layer("tail").kernel_size == (9, 9)
    assert generator.get_layer("up1_conv").filters == 256


def test_residual_to_bicubic_starts_exactly_at_bicubic():
    generator = srgan_lib.build_generator(num_blocks=1, filters=8, residual_to_bicubic=True)
    lr = np.random.default_rng(0).uniform(-1, 1, (1, 6, 5, 3)).astype("float32")
    bicubic = tf.image.resize(lr, [24, 20], method="bicubic").numpy()
    np.testing.assert_allclose(generator(lr).numpy(), bicubic, atol=1e-6)


def test_discriminator_follows_the_papers_eight_convolutions():
    d = srgan_lib.build_discriminator((32, 32, 3), filters=4, dense_units=8)
    convs = [l for l in d.layers if isinstance(l, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [4, 4, 8, 8, 16, 16, 32, 32]
    assert [c.strides[0] for c in convs] == [1, 2, 1, 2, 1, 2, 1, 2]
    assert d.get_layer("dense").units == 8 and d.output.shape == (None, 1)


def test_srresnet_trains_g_alone_on_mse_and_never_touches_d():
    model = tiny(adv_weight=0.0)
    model.compile(g_optimizer=keras.optimizers.Adam(1e-2))
    g0, d0 = weights(model.generator), weights(model.discriminator)
    history = model.fit(pairs(), epochs=3, verbose=0).history
    assert set(history) == {"content_loss", "mse", "psnr"}
    assert history["mse"][-1] < history["mse"][0]
    assert history["psnr"][-1] > history["psnr"][0]
    assert changed(g0, model.generator) and not changed(d0, model.discriminator)
    assert int(model.d_optimizer.iterations) == 0


def test_pretraining_steps_come_first_then_gan_steps_update_d():
    model = tiny(adv_weight=1e-3, pretrain_steps=2)
    model.compile()
    d0 = weights(model.discriminator)
    history = model.fit(pairs(n=4), epochs=1, verbose=0).history  # 2 pre-training steps
    assert int(model.d_optimizer.iterations) == 0 and not changed(d0, model.discriminator)
    assert history["d_loss"] == [0.0]  # no GAN step yet
    history = model.fit(pairs(n=4), epochs=1, verbose=0).history  # 2 GAN steps
    assert int(model.g_optimizer.iterations) == 4 and int(model.d_optimizer.iterations) == 2
    assert changed(d0, model.discriminator)
    assert {"content_loss", "adv_loss", "g_loss", "d_loss", "d_real", "d_fake", "psnr", "mse"} == set(history)
    # g_loss is the phase's total: content + adv_weight x (-log D(G(lr))), the latter shown as adv_loss.
    expected_g = history["content_loss"][0] + history["adv_loss"][0]
    assert history["g_loss"][0] == pytest.approx(expected_g, rel=1e-4)
    assert 1e-3 * 0.1 < history["adv_loss"][0] < 1e-3 * 5.0  # weighted: -log D(G(lr)) of a fresh D is ~0.7


def test_phases_are_content_pretraining_then_d_and_g_sharing_one_generator_pass():
    assert [p.name for p in tiny(adv_weight=0.0, pretrain_steps=5).phases()] == ["content"]
    assert [p.name for p in tiny(adv_weight=1e-3).phases()] == ["d", "g"]
    content, d, g = tiny(adv_weight=1e-3, pretrain_steps=5).phases()
    assert (content.first_steps, d.after_steps, g.after_steps) == (5, 5, 5)
    assert d.shares_fakes and g.terms == ("content_loss", "adv_loss") and not content.evaluate


def test_a_gan_step_runs_the_generator_once(monkeypatch):
    model = tiny(adv_weight=1e-3)
    model.compile(run_eagerly=True, reuse_fakes=False)  # the train script's default; SRGAN always shares
    calls = []
    original = model.generate_fakes
    monkeypatch.setattr(model, "generate_fakes", lambda *a, **k: calls.append(1) or original(*a, **k))
    model.fit(pairs(n=4), epochs=1, verbose=0)  # 2 GAN steps
    assert int(model.d_optimizer.iterations) == 2 and len(calls) == 2


def test_the_phase_switches_inside_one_fit():
    model = tiny(adv_weight=1e-3, pretrain_steps=1)
    model.compile()
    model.fit(pairs(n=4), epochs=1, verbose=0)  # step 1 pre-trains, step 2 is a GAN step
    assert int(model.g_optimizer.iterations) == 2 and int(model.d_optimizer.iterations) == 1


def test_residual_scale_multiplies_each_blocks_branch_before_its_skip():
    generator = srgan_lib.build_generator(num_blocks=1, filters=8, batch_norm=False, residual_scale=0.1)
    probe = keras.Model(generator.input, [generator.get_layer(n).output for n in
                                          ("head_prelu", "block1_conv2", "block1_add")])
    lr = np.random.default_rng(0).uniform(-1, 1, (1, 6, 5, 3)).astype("float32")
    skip, branch, added = (t.numpy() for t in probe(lr))
    np.testing.assert_allclose(added, skip + 0.1 * branch, atol=1e-6)
    # 1.0 (the paper's) adds no layer: generators saved before the option keep their layer list.
    plain = srgan_lib.build_generator(num_blocks=1, filters=8, batch_norm=False)
    assert not [l for l in plain.layers if isinstance(l, keras.layers.Rescaling)]
    with pytest.raises(GanzooError, match="residual_scale=0"):
        tiny(residual_scale=0.0)


def test_l1_content_loss_is_the_mean_absolute_pixel_error():
    model = tiny(adv_weight=0.0, content_loss="l1", residual_to_bicubic=True)
    model.compile()
    data = pairs(n=2)  # one batch
    lr, hr = next(iter(data))
    expected = float(np.mean(np.abs(model.generator(lr).numpy() - hr.numpy())))
    logs = model.evaluate(data, verbose=0, return_dict=True)
    assert logs["content_loss"] == pytest.approx(expected, rel=1e-4)
    assert logs["mse"] == pytest.approx(float(np.mean((model.generator(lr).numpy() - hr.numpy()) ** 2)), rel=1e-4)

def test_mse_y_content_loss_weights_luma_over_chroma():
    """ΔY² + ¼ of the mean chroma ΔCb², ΔCr² (BT.601), per pixel, against values worked by hand."""
    from ganzoo.models.srgan import objective

    grey = np.zeros((1, 2, 2, 3), "float32")
    white_error = grey + 0.5           # ΔR = ΔG = ΔB = 0.5: ΔY = 0.5, no chroma
    red_error = grey.copy()
    red_error[..., 0] = 1.0            # ΔR = 1: ΔY = 0.299, ΔCb = -0.168736, ΔCr = 0.5
    assert objective.mse_y_per_example(white_error, grey).numpy() == pytest.approx([0.25], abs=1e-6)
    red = 0.299 ** 2 + 0.25 * 0.5 * (0.168736 ** 2 + 0.5 ** 2)
    assert objective.mse_y_per_example(red_error, grey).numpy() == pytest.approx([red], abs=1e-6)

    model = tiny(adv_weight=0.0, content_loss="mse_y", residual_to_bicubic=True)
    model.compile()
    data = pairs(n=2)
    lr, hr = next(iter(data))
    diff = model.generator(lr).numpy() - hr.numpy()
    ycc = diff @ np.array(objective.YCBCR_ROWS).T
    expected = float(np.mean(ycc[..., 0] ** 2 + 0.125 * (ycc[..., 1] ** 2 + ycc[..., 2] ** 2)))
    logs = model.evaluate(data, verbose=0, return_dict=True)
    assert logs["content_loss"] == pytest.approx(expected, rel=1e-4)
    assert SRGAN.from_config(model.get_config()).content_loss == "mse_y"



def test_save_load_round_trip_keeps_config_weights_and_compile(tmp_path):
    model = tiny(adv_weight=1e-3, pretrain_steps=5, residual_to_bicubic=True, batch_norm=False,
                 residual_scale=0.1, content_loss="l1")
    model.compile(d_steps=2)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, SRGAN) and loaded.get_config() == model.get_config()
    assert loaded.d_steps == 2
    lr = np.random.default_rng(1).uniform(-1, 1, (1, 5, 9, 3)).astype("float32")
    np.testing.assert_allclose(loaded.generator(lr).numpy(), model.generator(lr).numpy(), atol=1e-6)


def test_init_generator_copies_a_trained_srresnet(tmp_path):
    source = tiny(adv_weight=0.0)
    source.generator.get_layer("tail").bias.assign(np.full(3, 0.25, "float32"))
    path = str(tmp_path / "srresnet.keras")
    source.save(path)
    target = tiny(adv_weight=1e-3, init_generator=path)
    assert np.allclose(target.generator.get_layer("tail").bias.numpy(), 0.25)
    assert target.get_config()["init_generator"] == path
    with pytest.raises(GanzooError, match="another architecture"):
        tiny(g_filters=4, init_generator=path)


def test_init_generator_widens_a_narrower_srresnet_keeping_its_output(tmp_path):
    rng = np.random.default_rng(3)
    source = tiny(adv_weight=0.0, batch_norm=False, residual_to_bicubic=True, num_blocks=2, scale=4)
    for weight in source.generator.weights:    # every weight nonzero, the zero-initialised tail too
        weight.assign(rng.normal(0.0, 0.2, weight.shape).astype("float32"))
    path = str(tmp_path / "narrow.keras")
    source.save(path)
    wide = tiny(adv_weight=0.0, batch_norm=False, residual_to_bicubic=True, num_blocks=2, scale=4, g_filters=12,
                init_generator=path)
    lr = rng.uniform(-1, 1, (2, 7, 9, 3)).astype("float32")
    np.testing.assert_allclose(wide.generator(lr).numpy(), source.generator(lr).numpy(), atol=1e-5)
    assert wide.generator.count_params() > 2 * source.generator.count_params() * 0.9
    new_channels = wide.generator.get_layer("block1_conv2").kernel.numpy()[..., 8:]
    assert np.abs(new_channels).max() > 0     # the new channels can learn; only new -> old is zero
    with pytest.raises(GanzooError, match="another architecture"):   # narrower is not widening
        tiny(adv_weight=0.0, batch_norm=False, residual_to_bicubic=True, num_blocks=2, g_filters=4,
             init_generator=path)
    with pytest.raises(GanzooError, match="cannot widen"):           # nor is another depth
        tiny(adv_weight=0.0, batch_norm=False, residual_to_bicubic=True, num_blocks=3, g_filters=12,
             init_generator=path)


def test_export_serves_a_37x53_image_as_148x212_in_float_and_uint8(tmp_path):
    model = tiny(adv_weight=0.0, residual_to_bicubic=True)
    path = save_generator(model, str(tmp_path / "saved"))
    loaded = tf.saved_model.load(path)
    image = np.random.default_rng(0).uniform(0, 1, (1, 37, 53, 3)).astype("float32")
    out = loaded.signatures["serving_default"](lr_images=tf.constant(image))["hr_images"].numpy()
    assert out.shape == (1, 148, 212, 3) and out.min() >= 0.0 and out.max() <= 1.0
    expected = model.super_resolve(image[0], value_range=(0.0, 1.0))
    np.testing.assert_allclose(out[0], expected, atol=1e-5)
    as_uint8 = np.round(image * 255).astype(np.uint8)
    out8 = loaded.signatures["super_resolve_uint8"](lr_images=tf.constant(as_uint8))["hr_images"].numpy()
    assert out8.dtype == np.uint8 and out8.shape == (1, 148, 212, 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"must be float32 in \[0, 1\].*uint8"):
        loaded.signatures["serving_default"](lr_images=tf.constant(as_uint8.astype("float32")))
    with pytest.raises(tf.errors.InvalidArgumentError, match="NaN"):
        loaded.signatures["serving_default"](lr_images=tf.constant(np.full((1, 4, 4, 3), np.nan, "float32")))


def test_super_resolve_keeps_dtype_range_and_converts_gray_and_rgba():
    model = tiny(adv_weight=0.0, residual_to_bicubic=True)
    gray = np.full((5, 6), 128, np.uint8)
    out = model.super_resolve(gray)
    assert out.shape == (20, 24, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.full((20, 24, 3), 128, np.uint8))  # untrained = bicubic
    rgba = np.dstack([np.full((5, 6, 3), 0.5, "float32"), np.zeros((5, 6), "float32")])
    assert model.super_resolve(rgba).shape == (20, 24, 3)
    sizes = [o.shape for o in model.super_resolve([np.zeros((3, 4, 3), np.uint8), np.zeros((5, 2, 3), np.uint8)])]
    assert sizes == [(12, 16, 3), (20, 8, 3)]


@pytest.mark.parametrize(
    "images, match",
    [
        (np.full((4, 4, 3), 255.0, "float32"), r"values in \[255, 255\] outside value_range=\(-1, 1\).*uint8"),
        (np.full((4, 4, 3), np.nan, "float32"), "NaN pixels"),
        (np.zeros((4, 4, 2), np.uint8), "C in 1, 3, 4"),
    ],
)
def test_super_resolve_refuses_confusing_input(images, match):
    with pytest.raises(GanzooError, match=match):
        tiny(adv_weight=0.0).super_resolve(images)


def test_training_batches_must_be_float_pairs_of_the_models_shapes():
    model = tiny(adv_weight=0.0)
    model.compile()
    lr = np.zeros((2, 8, 8, 3), np.uint8)
    hr = np.zeros((2, 32, 32, 3), np.uint8)
    with pytest.raises(GanzooError, match="uint8.*float32 in \\[-1, 1\\]"):
        model.fit(tf.data.Dataset.from_tensor_slices((lr, hr)).batch(2), verbose=0)
    wrong = tf.data.Dataset.from_tensor_slices((np.zeros((2, 8, 8, 3), "float32"), np.zeros((2, 16, 16, 3), "float32")))
    with pytest.raises(GanzooError, match=r"do not match.*lr_shape \(8, 8, 3\)"):
        model.fit(wrong.batch(2), verbose=0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(scale=5), "scale=5 is not supported"),
        (dict(content_loss="perceptual"), "content_loss='perceptual' is unknown"),
        (dict(lr_shape=(8, 8, 1)), "lr_shape=.*RGB"),
        (dict(adv_weight=-1.0), "adv_weight=-1.0"),
    ],
)
def test_bad_arguments_raise_one_clear_error(kwargs, match):
    with pytest.raises(GanzooError, match=match):
        tiny(**kwargs)


def test_missing_vgg_weights_name_the_expected_file(monkeypatch):
    monkeypatch.delenv(srgan_lib.VGG19_ENV, raising=False)
    model = tiny(content_loss="vgg", adv_weight=1e-3)
    with pytest.raises(GanzooError, match="vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5.*GANZOO_VGG19_WEIGHTS"):
        model.compile()
    tiny(content_loss="mse").compile()  # mse never needs weights


def test_generate_super_resolves_the_given_lr_images_and_reads_no_data():
    model = tiny(adv_weight=0.0, residual_to_bicubic=True)
    lr = np.random.default_rng(0).uniform(-1, 1, (4, 6, 5, 3)).astype("float32")
    out = model.generate(3, lr=lr)
    assert out.shape == (3, 24, 20, 3) and out.dtype == np.float32
    bicubic = tf.image.resize(lr[:3], [24, 20], method="bicubic").numpy()
    np.testing.assert_allclose(out, np.clip(bicubic, -1, 1), atol=1e-5)  # untrained = bicubic
    assert np.array_equal(model.generate(3, seed=1, lr=lr), out)  # deterministic: the seed changes nothing
    with pytest.raises(GanzooError, match=r"not noise; call generate\(n, lr=images\)"):
        model.generate(3, seed=4)
    with pytest.raises(GanzooError, match=r"needs lr of shape \[>= 5"):
        model.generate(5, lr=lr)
    with pytest.raises(GanzooError, match="lr= images only, not labels"):
        model.generate(2, lr=lr, labels=[0, 1])


def test_old_files_naming_a_preview_dataset_still_load():
    config = {**tiny(adv_weight=0.0).get_config(), "preview_data": "photos", "preview_options": {"seed": 1}}
    model = SRGAN.from_config(config)
    assert "preview_data" not in model.get_config() and model.get_config()["lr_shape"] == [8, 8, 3]


def fake_vgg(weights):
    images = keras.Input((None, None, 3))
    features = keras.layers.Conv2D(4, 3, strides=16, padding="same", name="phi")(images)
    return keras.Model(images, features)


def test_vgg_is_loaded_only_for_a_gan_phase_and_saved_files_load_without_it(tmp_path, monkeypatch):
    monkeypatch.setattr(srgan_lib.objective, "build_vgg_features", fake_vgg)
    monkeypatch.delenv(srgan_lib.VGG19_ENV, raising=False)
    tiny(content_loss="vgg", adv_weight=0.0).compile()  # SRResNet: the pixel MSE, no VGG
    weights_file = tmp_path / "vgg19.h5"
    weights_file.write_bytes(b"stand-in")
    model = tiny(content_loss="vgg", adv_weight=1e-3, vgg_weights=str(weights_file))
    model.compile()
    history = model.fit(pairs(n=2), epochs=1, verbose=0).history
    assert history["content_loss"][0] != pytest.approx(history["mse"][0])  # the features' MSE
    path = str(tmp_path / "m.keras")
    model.save(path)
    weights_file.unlink()
    loaded = keras.models.load_model(path)  # compiled from its config, without the VGG file
    assert loaded.content_loss == "vgg" and loaded.loss_fn is not None
    with pytest.raises(GanzooError, match="vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"):
        loaded.fit(pairs(n=2), epochs=1, verbose=0)


@pytest.mark.slow
def test_vgg_content_loss_uses_pre_activation_conv5_4_features(tmp_path, monkeypatch):
    vgg = keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))
    path = str(tmp_path / "vgg.weights.h5")
    vgg.save_weights(path)
    monkeypatch.setenv(srgan_lib.VGG19_ENV, path)
    features = srgan_lib.build_vgg_features(srgan_lib.vgg19_weights_path())
    image = np.random.default_rng(0).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
    phi = features(image).numpy()
    assert phi.shape == (1, 2, 2, 512) and phi.min() < 0.0  # before the ReLU
    # The same as VGG19's own conv5_4 before its activation.
    inner = keras.Model(vgg.input, vgg.get_layer("block5_conv3").output)
    x = keras.applications.vgg19.preprocess_input((image + 1.0) * 127.5)
    conv = vgg.get_layer("block5_conv4")
    expected = tf.nn.conv2d(inner(x), conv.kernel, 1, "SAME") + conv.bias
    np.testing.assert_allclose(phi, expected.numpy(), rtol=1e-4, atol=1e-4)
    model = tiny(content_loss="vgg", adv_weight=1e-3, lr_shape=(8, 8, 3))
    model.compile()
    history = model.fit(pairs(n=2), epochs=1, verbose=0).history
    assert history["content_loss"][0] != pytest.approx(history["mse"][0])
    assert np.isfinite(history["g_loss"][0])


def test_receptive_radius_counts_each_convolution_at_its_resolution():
    # head 9x9 (4) + 2 per block + body (1) + up1 (1) + up2 at 2x (0.5) + tail 9x9 at 4x (1) = 9.5 -> 10
    assert srgan_lib.receptive_radius(srgan_lib.build_generator(num_blocks=1, filters=8)) == 10
    assert srgan_lib.receptive_radius(srgan_lib.build_generator(num_blocks=16)) == 40  # the paper's


def test_super_resolve_in_tiles_equals_the_whole_image():
    model = tiny(adv_weight=0.0, tile_size=8)
    image = np.random.default_rng(0).uniform(-1, 1, (2, 21, 19, 3)).astype("float32")
    whole = np.clip(model.generator(image, training=False).numpy(), -1, 1)
    np.testing.assert_allclose(model.super_resolve(image), whole, atol=1e-5)
    # The overlap is what makes it seamless: without it the tiles' borders show.
    object.__setattr__(model, "_tiled_generators", {})  # the traced functions captured the overlap
    model.tile_overlap = 0
    assert np.abs(model.super_resolve(image) - whole).max() > 1e-3
    with pytest.raises(GanzooError, match=r"21x19 image, more than this SRGAN's max_pixels=100"):
        tiny(max_pixels=100).super_resolve(image)


def test_export_tiles_large_images_and_refuses_more_than_max_pixels(tmp_path):
    model = tiny(adv_weight=0.0, max_pixels=30 * 30, tile_size=8)
    loaded = tf.saved_model.load(save_generator(model, str(tmp_path / "saved")))
    image = np.random.default_rng(0).uniform(0, 1, (2, 30, 27, 3)).astype("float32")
    out = loaded.signatures["serving_default"](lr_images=tf.constant(image))["hr_images"].numpy()
    whole = np.clip((model.generator(image * 2 - 1, training=False).numpy() + 1) / 2, 0, 1)
    np.testing.assert_allclose(out, whole, atol=1e-5)
    as_uint8 = np.round(image * 255).astype(np.uint8)
    out8 = loaded.signatures["super_resolve_uint8"](lr_images=tf.constant(as_uint8))["hr_images"].numpy()
    np.testing.assert_array_equal(out8, model.super_resolve(as_uint8))
    too_big = np.zeros((1, 31, 30, 3), np.uint8)
    for name, x in (("super_resolve_uint8", too_big), ("serving_default", too_big.astype("float32"))):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"more pixels \(height x width\) than max_pixels=900"):
            loaded.signatures[name](lr_images=tf.constant(x))


LARGE_REQUEST_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np, tensorflow as tf
    loaded = tf.saved_model.load(sys.argv[1])
    serve = loaded.signatures["super_resolve_uint8"]
    out = serve(lr_images=tf.zeros([1, 2000, 2000, 3], tf.uint8))["hr_images"]
    try:
        serve(lr_images=tf.zeros([1, 2100, 2100, 3], tf.uint8))
        refused = ""
    except tf.errors.InvalidArgumentError as error:
        refused = error.message
    # This process's own peak (VmHWM): ru_maxrss keeps the parent's peak across fork and exec, so
    # it read 4.4 GB here once the pytest worker that started this script had grown that large.
    with open("/proc/self/status") as status:
        peak_mb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    print(json.dumps({"shape": list(out.shape), "peak_mb": peak_mb, "refused": refused}))
    """
)


@pytest.mark.slow
def test_a_2000x2000_request_is_served_in_flat_memory_and_a_larger_one_refused(tmp_path):
    path = save_generator(tiny(adv_weight=0.0, residual_to_bicubic=True), str(tmp_path / "saved"))
    result = subprocess.run([sys.executable, "-c", LARGE_REQUEST_SCRIPT, path], capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["shape"] == [1, 8000, 8000, 3]
    assert "max_pixels=4194304" in facts["refused"]
    # The uint8 output is 192 MB; without tiles this network's activations alone need > 16 GB.
    assert facts["peak_mb"] < 3000, facts


def test_benchmark_sharpness_is_one_for_the_photo_below_for_bicubic_and_above_when_noise_is_added(load_file):
    sharpness = load_file("benchmarks/super_resolution.py").sharpness
    hr = photos.load_photo("coffee")[:96, :128].astype("float32") / 127.5 - 1.0
    bicubic = photos.upscale_bicubic(photos.downscale(hr, 4), 4).numpy()
    noisy = np.clip(hr + np.random.default_rng(0).normal(0, 0.1, hr.shape), -1, 1).astype("float32")
    assert sharpness(hr, hr, 4) == pytest.approx(1.0)
    assert sharpness(bicubic, hr, 4) < 0.8 < 1.2 < sharpness(noisy, hr, 4)


def test_self_ensemble_is_the_mean_of_the_eight_flips_and_turns_turned_back():
    model = tiny(adv_weight=0.0, residual_to_bicubic=False)
    lr = np.random.default_rng(3).uniform(-1.0, 1.0, (5, 7, 3)).astype("float32")  # not square
    plain = model.super_resolve(lr)
    views = []
    for turns in range(4):
        for flip in (False, True):
            x = np.rot90(lr, turns)
            x = x[:, ::-1] if flip else x
            y = model.super_resolve(np.ascontiguousarray(x))
            y = y[:, ::-1] if flip else y
            views.append(np.rot90(y, -turns))
    ensemble = model.super_resolve(lr, self_ensemble=True)
    assert ensemble.shape == plain.shape == (20, 28, 3)
    np.testing.assert_allclose(ensemble, np.mean(views, axis=0), atol=1e-5)
    assert np.abs(ensemble - plain).max() > 1e-3  # an untrained G is not flip-equivariant
    batch = model.super_resolve(np.stack([lr, lr[::-1]]), self_ensemble=True)
    np.testing.assert_allclose(batch[0], ensemble, atol=1e-5)


def test_a_self_ensemble_model_serves_its_ensemble_tiled_and_keeps_the_setting_when_saved(tmp_path):
    model = tiny(adv_weight=0.0, residual_to_bicubic=False, self_ensemble=True, tile_size=6)
    assert model.get_config()["self_ensemble"] is True
    image = np.random.default_rng(4).uniform(0, 1, (1, 13, 9, 3)).astype("float32")  # 3 x 2 tiles
    ensemble = model.super_resolve(image[0], value_range=(0.0, 1.0))
    np.testing.assert_allclose(ensemble, model.super_resolve(image[0], (0.0, 1.0), self_ensemble=True), atol=1e-6)
    plain = model.super_resolve(image[0], value_range=(0.0, 1.0), self_ensemble=False)
    assert np.abs(ensemble - plain).max() > 1e-3
    whole = tiny(adv_weight=0.0, residual_to_bicubic=False, self_ensemble=True, tile_size=64)
    whole.generator.set_weights(model.generator.get_weights())
    np.testing.assert_allclose(whole.super_resolve(image[0], value_range=(0.0, 1.0)), ensemble, atol=1e-5)
    loaded = tf.saved_model.load(save_generator(model, str(tmp_path / "saved")))
    served = loaded.signatures["serving_default"](lr_images=tf.constant(image))["hr_images"].numpy()
    np.testing.assert_allclose(served[0], ensemble, atol=1e-5)
    model.save(tmp_path / "m.keras")
    reloaded = keras.models.load_model(tmp_path / "m.keras")
    assert reloaded.self_ensemble is True
    np.testing.assert_allclose(reloaded.super_resolve(image[0], value_range=(0.0, 1.0)), ensemble, atol=1e-5)


def test_benchmark_measures_a_self_ensemble_model_with_it_and_in_one_pass_beside_it(load_file):
    bench = load_file("benchmarks/super_resolution.py")
    model = tiny(adv_weight=0.0, residual_to_bicubic=False, self_ensemble=True)  # not flip-equivariant
    hr = photos.load_photo("coffee")[:64, :96].astype("float32") / 127.5 - 1.0
    pairs = [{"name": "coffee", "lr": photos.downscale(hr, 4).numpy(), "hr": hr}]
    methods = ["bicubic", "srresnet", "srresnet_one_pass"]
    summary, _ = bench.evaluate({"srresnet": model}, methods, pairs, 4, verbose=False)
    ensemble = bench.measure(model.super_resolve(pairs[0]["lr"], self_ensemble=True), hr, 4)[0]
    one_pass = bench.measure(model.super_resolve(pairs[0]["lr"], self_ensemble=False), hr, 4)[0]
    assert abs(ensemble - one_pass) > 1e-3
    assert summary["srresnet"]["psnr"] == pytest.approx(ensemble)
    assert summary["srresnet_one_pass"]["psnr"] == pytest.approx(one_pass)
    assert summary["srresnet_one_pass_gain_db"] == pytest.approx(one_pass - summary["bicubic"]["psnr"])
    forced_off, _ = bench.evaluate({"srresnet": model}, methods[:2], pairs, 4, verbose=False, self_ensemble=False)
    assert forced_off["srresnet"]["psnr"] == pytest.approx(one_pass)
