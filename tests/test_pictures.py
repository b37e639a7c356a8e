"""benchmarks/make_pictures.py: PNGs from the presets, their shapes, determinism, --overwrite, skips."""

import os

import numpy as np
import pytest
import tensorflow as tf

import ganzoo.data
from ganzoo import presets
from ganzoo.errors import GanzooError
from repo_files import load_file

pictures = load_file("benchmarks/make_pictures.py")


@pytest.fixture(scope="module")
def dcgan():
    return presets.load("dcgan_digits")


def png_shape(path):
    return tuple(tf.io.decode_png(tf.io.read_file(str(path))).shape)


def test_dcgan_pictures_are_written_with_their_grid_shapes_and_redrawn_identically(dcgan, tmp_path):
    names = ["dcgan_digits_samples", "dcgan_digits_interpolation"]
    lines = []
    report = pictures.make(names, str(tmp_path), load=lambda name: dcgan, log=lines.append)
    cell = 32 * 2 + 1  # a 32x32 digit shown 2x, one white pixel between cells
    assert png_shape(tmp_path / "dcgan_digits_samples.png") == (8 * cell + 1, 8 * cell + 1, 1)
    assert png_shape(tmp_path / "dcgan_digits_interpolation.png") == (8 * cell + 1, 10 * cell + 1, 1)
    assert report["dcgan_digits_interpolation"]["path"] == str(tmp_path / "dcgan_digits_interpolation.png")
    assert all(report[name]["bytes"] < pictures.MAX_BYTES for name in names)
    assert all(line.startswith("wrote ") for line in lines)
    first = {name: (tmp_path / f"{name}.png").read_bytes() for name in names}
    pictures.make(names, str(tmp_path), overwrite=True, load=lambda name: dcgan, log=lines.append)
    assert {name: (tmp_path / f"{name}.png").read_bytes() for name in names} == first


def test_existing_png_is_refused_without_overwrite_before_anything_is_drawn(tmp_path):
    (tmp_path / "dcgan_digits_samples.png").write_bytes(b"keep me")

    def load(name):
        raise AssertionError("nothing may be loaded when the run is refused")

    with pytest.raises(GanzooError, match="dcgan_digits_samples.png already exist.*--overwrite"):
        pictures.make(["lapgan_digits_samples", "dcgan_digits_samples"], str(tmp_path), load=load)
    assert (tmp_path / "dcgan_digits_samples.png").read_bytes() == b"keep me"
    assert not (tmp_path / "lapgan_digits_samples.png").exists()


def test_picture_whose_preset_does_not_ship_is_skipped_with_one_line_naming_it(tmp_path):
    lines = []
    report = pictures.make(["wgan_gp_grid25_scatter"], str(tmp_path), available=["dcgan_digits"], log=lines.append)
    assert report == {"wgan_gp_grid25_scatter": {"skipped": "missing preset wgan_gp_grid25"}}
    assert len(lines) == 1 and "wgan_gp_grid25" in lines[0] and lines[0].startswith("skipped")
    assert os.listdir(tmp_path) == []


def test_unknown_picture_name_is_refused_with_the_valid_names(tmp_path):
    with pytest.raises(GanzooError, match="unknown picture.*dcgan_digits_samples"):
        pictures.make(["dcgan_samples"], str(tmp_path))


def test_arithmetic_groups_are_thick_and_thin_samples_of_the_judged_classes(dcgan):
    # A stand-in judge (the real one trains a CNN): sample i is class i mod 10, fully sure.
    def classify(x):
        return np.eye(10)[np.arange(len(x)) % 10]

    image, facts = pictures.digit_arithmetic(dcgan, classify, rows=((0, 1), (2, 3)), pool=300)
    cell = 32 * 2 + 1
    height = 2 * (cell + 1) + 2 * pictures.GAP  # two rows of cells, a gap between them
    width = 3 * (3 * cell + 1) + 4 * cell + 1 + 3 * pictures.SEPARATOR
    assert image.shape == (height, width, 1)
    for row in facts["rows"]:
        assert row["ink_a"] > row["ink_b"]  # A: the thickest of class X, B: the thinnest
        assert row["results"] == 4


def test_grid25_scatter_draws_real_and_generated_points_side_by_side():
    from ganzoo.models import WGAN

    model = WGAN(data_shape=(2,), latent_dim=4, g_units=(16,), d_units=(16,))
    image, facts = pictures.grid25_scatter(model, n=500, size=64)
    assert image.shape == (64, 2 * 64 + 2 * pictures.GAP, 1)
    assert (image < 255).any() and facts["samples"] == 500 and 0 <= facts["modes_captured"] <= 25


def test_super_resolution_columns_are_lr_bicubic_each_model_and_hr():
    from ganzoo.models import SRGAN

    model = SRGAN(lr_shape=(8, 8, 3), scale=4, num_blocks=1, g_filters=8, d_filters=4, d_dense=8,
                  content_loss="mse")
    rng = np.random.default_rng(0)
    photos = [{"name": f"p{i}", "hr": rng.uniform(-1, 1, (40, 48, 3)).astype("float32")} for i in range(2)]
    for photo in photos:
        photo["lr"] = photo["hr"][::4, ::4]
    image, facts = pictures.super_resolution([model, model], crop=32, scale_up=1, photos=photos)
    assert image.shape == (2 * 32 + pictures.GAP, 5 * 32 + 4 * pictures.GAP, 3)
    assert facts["columns"] == ["lr", "bicubic", "model_0", "model_1", "hr"]
    np.testing.assert_array_equal(image[:32, -32:], ((photos[0]["hr"][4:36, 8:40] + 1) * 127.5).round())


def test_text_interpolation_has_a_row_per_caption_pair():
    from ganzoo.models.text_to_image import TextToImageGAN

    model = TextToImageGAN(image_shape=(16, 16, 3), latent_dim=8, projection_dim=8, text_dim=8, encoder_width=8,
                           g_filters=8, d_filters=8, max_length=32)
    image, facts = pictures.text_interpolation(model, steps=5, scale=1)
    cell = 16 + 1
    assert image.shape == (len(pictures.CAPTION_PAIRS) * cell + 1, 5 * cell + 1, 3)


def test_frontalization_grid_rows_are_pose_output_and_truth(monkeypatch):
    from ganzoo.models.frontalization import FrontalizationGAN

    model = FrontalizationGAN(image_shape=(32, 32, 3), num_identities=4, g_filters=4, local_filters=4,
                              d_filters=4, bottleneck=8, identity_filters=4)
    rng = np.random.default_rng(0)
    pose = rng.uniform(-1, 1, (6, 32, 32, 3)).astype("float32")
    info = {"landmarks": np.tile(np.float32([[12, 16], [20, 16], [16, 20], [13, 24], [19, 24]]), (6, 1, 1)),
            "frontal": rng.uniform(-1, 1, (6, 32, 32, 3)).astype("float32")}
    batch = (tf.constant(pose), {key: tf.constant(value) for key, value in info.items()})
    monkeypatch.setattr(ganzoo.data, "load", lambda *args, **kwargs: [batch])
    image, facts = pictures.frontalization_grid(model, n=4)
    assert image.shape == (3 * 33 + 1, 4 * 33 + 1, 3)
    # Row 1 is the picked faces as posed, row 3 their truths (the same picks), row 2 G's output.
    pick = np.random.default_rng(0).choice(6, size=4, replace=False)
    cell = lambda row, col: image[1 + 33 * row : 33 * (row + 1), 1 + 33 * col : 33 * (col + 1)]  # noqa: E731
    for col, k in enumerate(pick):
        np.testing.assert_array_equal(cell(0, col), pictures.images.to_uint8(pose[k]))
        np.testing.assert_array_equal(cell(2, col), pictures.images.to_uint8(info["frontal"][k]))
    output = model.frontalize(pose[pick[:1]], info["landmarks"][pick[:1]])[0]
    np.testing.assert_array_equal(cell(1, 0), pictures.images.to_uint8(output))


def test_pyramid_levels_has_a_row_per_level_and_a_column_per_sample():
    from ganzoo.models import LAPGAN

    model = LAPGAN(image_shape=(16, 16, 1), levels=2, coarse_latent_dim=4, g_units=8, d_units=8, g_filters=4,
                   d_filters=4)
    image, facts = pictures.pyramid_levels(model, n=3, size=32)
    assert image.shape == (2 * 33 + 1, 3 * 33 + 1, 1)
    assert facts["levels"] == [8, 16]


def test_cyclegan_picture_rows_are_input_translation_and_reconstruction_both_ways():
    from ganzoo.data import digits, printed_digits
    from ganzoo.models import CycleGAN

    model = CycleGAN(image_shape=(8, 8, 1), base_filters=2, num_blocks=1, d_filters=2, d_layers=1)
    image, facts = pictures.cyclegan_translations(model, n=3, scale=1)
    assert image.shape[:2] == (3 * 9 + 1, 6 * 9 + 1)
    cell = lambda row, col: image[1 + 9 * row : 9 * (row + 1), 1 + 9 * col : 9 * (col + 1)]  # noqa: E731
    a, b = digits.arrays("test", 8, 1)[0][:3], printed_digits.arrays("test", 8, 1)[0][:3]
    np.testing.assert_array_equal(np.squeeze(cell(0, 0)), np.squeeze(pictures.images.to_uint8(a[0])))
    np.testing.assert_array_equal(np.squeeze(cell(0, 3)), np.squeeze(pictures.images.to_uint8(b[0])))
    np.testing.assert_array_equal(np.squeeze(cell(1, 3)), np.squeeze(pictures.images.to_uint8(model.b_to_a(b[:1])[0])))
    np.testing.assert_array_equal(np.squeeze(cell(2, 0)),
                                  np.squeeze(pictures.images.to_uint8(model.b_to_a(model.a_to_b(a[:1]))[0])))
    assert facts == {"per_direction": 3}
