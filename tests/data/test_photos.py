"""photos and sr_crops: held-out photos never trained on, (lr, hr) pairs consistent, conversions, errors."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.data import photos, registry
from ganzoo.errors import GanzooError


def first_batch(name="photos", **options):
    return next(iter(registry.load(name, **options)))


def test_train_and_test_photos_are_disjoint_and_cover_the_bundle():
    train, test = set(photos.photo_names("train")), set(photos.photo_names("test"))
    assert not train & test
    assert train | test == set(photos.photo_names("all"))
    assert {"astronaut", "chelsea", "coffee"} == test


def test_extra_photos_are_training_only_and_no_training_photo_is_a_held_out_one():
    train = photos.photo_names("train", extra_photos=True, gradio_photos=True)
    assert set(photos.EXTRA_TRAIN_PHOTOS + photos.GRADIO_PHOTOS) <= set(train)
    assert not set(train) & set(photos.photo_names("test"))
    assert photos.photo_names("test", extra_photos=True, gradio_photos=True) == photos.TEST_PHOTOS
    assert not set(photos.GRADIO_PHOTOS) & set(photos.photo_names("train", extra_photos=True))  # only on request
    held_out = [photos.load_photo(name) for name in photos.TEST_PHOTOS]
    for name in train:  # by pixels, not names: scikit-image's `cat` is the held-out chelsea
        image = photos.load_photo(name)
        assert not any(image.shape == h.shape and np.array_equal(image, h) for h in held_out), name


def test_gradio_photos_need_gradio_and_say_how_to_get_it(monkeypatch):
    assert photos.load_photo("gradio_tower").shape == (600, 377, 3)  # ganzoo[test] installs Gradio
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    with pytest.raises(GanzooError, match=r"'gradio_tower'.*not installed.*ganzoo\[demo\]"):
        photos.load_photo("gradio_tower")


def test_lr_from_pil_matches_the_training_downscale_and_tf_aliased_does_not():
    hr = photos.load_photo("coffee")[:128, :192]
    tf_lr, pil_lr, aliased = (photos.downscale_photo(hr, 4, source).astype(int) for source in photos.LR_SOURCES)
    assert tf_lr.shape == pil_lr.shape == aliased.shape == (32, 48, 3)
    assert np.abs(tf_lr - pil_lr).mean() < 0.5  # PIL's BICUBIC and TF's antialiased bicubic: one kernel
    assert np.abs(tf_lr - aliased).mean() > 2.0  # no antialiasing: another degradation
    with pytest.raises(GanzooError, match="lr_from='box'"):
        photos.downscale_photo(hr, 4, "box")


def test_pairs_are_float_in_range_and_lr_is_the_bicubic_downscale_of_hr():
    lr, hr = first_batch(batch_size=3, image_size=32, scale=4, seed=1)
    assert lr.shape == (3, 8, 8, 3) and hr.shape == (3, 32, 32, 3)
    assert lr.dtype == tf.float32 and hr.dtype == tf.float32
    assert -1.0 <= float(tf.reduce_min(hr)) and float(tf.reduce_max(hr)) <= 1.0
    np.testing.assert_allclose(lr.numpy(), photos.downscale(hr, 4).numpy(), atol=1e-6)
    # LR is rounded to 8-bit levels, as an image file would be.
    levels = (lr.numpy() + 1.0) * 127.5
    np.testing.assert_allclose(levels, np.round(levels), atol=1e-3)


def test_scale_3_crops_and_hr_pixels_are_real_photo_pixels():
    lr, hr = first_batch(batch_size=2, image_size=30, scale=3, seed=0, augment=False)
    assert lr.shape == (2, 10, 10, 3) and hr.shape == (2, 30, 30, 3)
    values = (hr.numpy() + 1.0) * 127.5
    np.testing.assert_allclose(values, np.round(values), atol=1e-3)  # unresampled uint8 pixels


def test_held_out_crops_repeat_every_pass_and_training_crops_do_not():
    test = registry.load("photos", split="test", batch_size=4, image_size=16)
    a, b = [x[1].numpy() for x in test], [x[1].numpy() for x in test]
    assert len(a) == 6 and all(np.array_equal(x, y) for x, y in zip(a, b))  # 3 photos x 8 crops
    train = registry.load("photos", batch_size=4, image_size=16, seed=0)
    first, second = next(iter(train))[1].numpy(), next(iter(train))[1].numpy()
    assert not np.array_equal(first, second)


def test_augmentation_is_one_of_the_eight_symmetries_of_the_same_crop():
    image = tf.constant(np.random.default_rng(0).integers(0, 256, (40, 50, 3)), tf.uint8)
    seen = set()
    for r in range(12):
        seed = tf.constant([r, 0], tf.int64)
        _, plain = photos._pair_from(image, seed, 16, 4, augment=False)
        _, augmented = photos._pair_from(image, seed, 16, 4, augment=True)
        plain, augmented = plain.numpy(), augmented.numpy()
        matches = [k for k in range(8) if np.array_equal(np.rot90(plain[:, ::-1] if k >= 4 else plain, k % 4), augmented)]
        assert matches, f"seed {r}: not a flip/rotation of the crop"
        seen.add(matches[0])
    assert len(seen) > 2


def test_scale_augmentation_shrinks_each_crop_by_a_factor_between_rescale_min_and_1():
    ramp = np.tile(np.arange(256, dtype=np.uint8), (256, 1))[..., None].repeat(3, axis=-1)  # slope 1 level/px
    images = tf.data.Dataset.from_tensors(tf.constant(ramp))

    def slopes(rescale_min):
        pairs = photos.crop_pairs(images, 96, 4, 64, seed=0, augment=False, rerandomize=False, rescale_min=rescale_min)
        hr = np.stack([hr.numpy() for _, hr in pairs]) * 127.5  # back to 8-bit levels
        return np.median(np.diff(hr[:, 48, 8:-8, 0], axis=-1), axis=-1)  # a row's middle, off the edges

    assert np.allclose(slopes(1.0), 1.0)
    shrunk = slopes(0.5)  # a side of 96/f px of the ramp in 96 px: slope 1/f, f in [0.5, 1]
    assert shrunk.min() >= 0.95 and shrunk.max() <= 2.05
    assert shrunk.max() > 1.6 and shrunk.std() > 0.15  # not one fixed factor


def test_scale_augmentation_is_for_training_only_and_checked():
    test = first_batch(split="test", rescale_min=0.5, batch_size=4, shuffle=False)
    plain = first_batch(split="test", batch_size=4, shuffle=False)
    np.testing.assert_array_equal(test[1].numpy(), plain[1].numpy())
    for bad in (0, 1.5, "x"):
        with pytest.raises(GanzooError, match="rescale_min"):
            photos.photos(rescale_min=bad)
    with pytest.raises(GanzooError, match="rescale_min"):
        photos.sr_crops("/nonexistent", rescale_min=0)  # checked before the folder is read


def test_full_pairs_are_whole_photos_cropped_to_multiples_of_the_scale():
    pairs = photos.full_pairs("test", scale=3)
    chelsea = next(p for p in pairs if p["name"] == "chelsea")  # 300 x 451
    assert chelsea["hr"].shape == (300, 450, 3) and chelsea["lr"].shape == (100, 150, 3)


def test_conversions_gray_rgba_and_float_images():
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    rgb = photos.to_rgb_uint8(gray)
    assert rgb.shape == (3, 4, 3) and np.array_equal(rgb[..., 0], gray) and np.array_equal(rgb[..., 2], gray)
    rgba = np.dstack([np.full((3, 4, 3), 7, np.uint8), np.zeros((3, 4), np.uint8)])
    assert np.array_equal(photos.to_rgb_uint8(rgba), np.full((3, 4, 3), 7, np.uint8))
    assert photos.to_rgb_uint8(np.full((2, 2, 3), 1.0))[0, 0, 0] == 255


@pytest.mark.parametrize(
    "image, match",
    [
        (np.full((4, 4, 3), 200.0), r"values in \[200, 200\].*must be in \[0, 1\].*uint8"),
        (np.full((4, 4, 3), np.nan), "NaN pixels"),
        (np.zeros((4, 4, 2), np.uint8), "shape"),
    ],
)
def test_bad_images_raise_one_clear_error(image, match):
    with pytest.raises(GanzooError, match=match):
        photos.to_rgb_uint8(image)


@pytest.mark.parametrize(
    "options, match",
    [
        (dict(image_size=30, scale=4), "image_size=30.*multiple of scale=4"),
        (dict(scale=5), "scale=5 is not supported"),
        (dict(channels=1), "RGB pairs; channels=1"),
        (dict(with_labels=True), "no labels"),
        (dict(names=["coins"], image_size=400), "smaller than image_size=400"),
        (dict(names=["lena"]), "no bundled photo 'lena'"),
    ],
)
def test_bad_options_raise_one_clear_error(options, match):
    with pytest.raises(GanzooError, match=match):
        registry.load("photos", batch_size=2, **options)


def test_sr_crops_folder_converts_gray_and_rgba_and_skips_small_images(tmp_path):
    rng = np.random.default_rng(0)
    files = {
        "gray.png": rng.integers(0, 256, (40, 40, 1)),
        "rgba.png": rng.integers(0, 256, (40, 48, 4)),
        "tiny.png": rng.integers(0, 256, (8, 8, 3)),
    }
    for name, array in files.items():
        tf.io.write_file(str(tmp_path / name), tf.io.encode_png(tf.constant(array, tf.uint8)))
    dataset = registry.load(f"sr_crops:{tmp_path}", batch_size=1, image_size=16, scale=2, crops_per_image=2,
                            shuffle=False, augment=False, drop_remainder=False)
    pairs = list(dataset)
    assert len(pairs) == 4  # the 8x8 image is skipped
    for lr, hr in pairs:
        assert lr.shape == (1, 8, 8, 3) and hr.shape == (1, 16, 16, 3)
    gray_hr = pairs[0][1].numpy()
    np.testing.assert_array_equal(gray_hr[..., 0], gray_hr[..., 2])  # replicated gray
