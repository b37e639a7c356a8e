"""Frontalization's independent judges: CosFace's margin, the colour baseline, the identity bootstrap."""

import numpy as np
import pytest

from ganzoo.errors import GanzooError
from ganzoo.metrics import face_identity, recognizers


def test_cosface_logits_are_scaled_cosines_with_the_margin_taken_from_the_true_class_only():
    head = recognizers.CosineMarginHead(3, scale=10.0, margin=0.25)
    head.build((None, 2))
    head.kernel.assign(np.array([[1.0, 0.0, -2.0], [0.0, 3.0, 0.0]], np.float32))  # columns: e_x, 3·e_y, −2·e_x
    embeddings = np.array([[2.0, 0.0], [1.0, 1.0]], np.float32)
    logits = np.asarray(head(embeddings, np.array([0, 1])))
    c = 1.0 / np.sqrt(2.0)
    # cos θ by hand: row 0 = (1, 0, −1), row 1 = (c, c, −c); the true class loses m = 0.25.
    np.testing.assert_allclose(logits, 10.0 * np.array([[1.0 - 0.25, 0.0, -1.0], [c, c - 0.25, -c]]), atol=1e-5)


def test_colour_histogram_ignores_the_background_and_the_layout_but_not_the_colours():
    background = np.array([0.2, 0.2, 0.2])
    image = np.full((1, 8, 8, 3), 0.2 * 2 - 1, np.float32)  # all background, in [-1, 1]
    red, blue = image.copy(), image.copy()
    red[0, :4, :4] = [1.0, -1.0, -1.0]
    moved_red = image.copy()
    moved_red[0, 4:, 4:] = [1.0, -1.0, -1.0]
    blue[0, :4, :4] = [-1.0, -1.0, 1.0]
    h = recognizers.colour_histogram(np.concatenate([red, moved_red, blue]), bins=4, background=background)
    assert h.shape == (3, 64)
    np.testing.assert_allclose(np.linalg.norm(h, axis=1), 1.0)
    np.testing.assert_allclose(h[0], h[1])          # same colours elsewhere: same histogram
    assert h[0] @ h[2] == pytest.approx(0.0)        # disjoint colours: orthogonal
    assert np.count_nonzero(h[0]) == 1              # the background left out


def test_identity_bootstrap_resamples_whole_identities():
    # Identity 0: 9 probes all right; identity 1: 1 probe wrong. Per-probe mean 90%; a draw of
    # identities can only give 100% (0,0), 90% (0,1) or 0% (1,1): never anything in between.
    values = np.array([100.0] * 9 + [0.0])
    identities = np.array([0] * 9 + [1])
    low, high = recognizers.identity_bootstrap(values, identities, samples=2000, seed=0)
    assert low == pytest.approx(0.0) and high == pytest.approx(100.0)
    same = recognizers.identity_bootstrap(np.full(10, 5.0), np.arange(10), samples=200)
    assert same == pytest.approx((5.0, 5.0))


def test_judged_scores_put_profile_frontalized_and_ceiling_side_by_side():
    # Two identities told apart by colour only; "frontalization" that swaps their colours must
    # lose every probe, one that returns the true frontal must match the ceiling.
    n = 2
    frontal = np.zeros((2 * n, 4, 4, 3), np.uint8)
    frontal[:n], frontal[n:] = (250, 10, 10), (10, 10, 250)
    data = {"frontal": frontal, "pose": frontal.copy(), "identity": np.repeat([0, 1], n), "yaw": np.tile([0, 60], 2)}
    embed = lambda x: recognizers.colour_histogram(x, bins=2)  # noqa: E731
    rows = np.flatnonzero(data["yaw"] == 60)
    truth = face_identity.to_float(frontal[rows])
    kept = face_identity.judged_scores(embed, data, {60: truth}, bins=(60,), bootstrap=50)
    swapped = face_identity.judged_scores(embed, data, {60: truth[::-1]}, bins=(60,), bootstrap=50)
    assert kept["rank1_profile_yaw60"] == kept["rank1_frontalized_yaw60"] == kept["rank1_true_frontal_yaw60"] == 100.0
    assert swapped["rank1_frontalized_yaw60"] == 0.0 and swapped["gain_yaw60"] == -100.0
    assert swapped["gain_low_yaw60"] == swapped["gain_high_yaw60"] == -100.0


def test_a_tiny_recognizer_learns_identities_it_can_then_tell_apart_by_embedding():
    rng = np.random.default_rng(0)
    centres = rng.uniform(-1, 1, (3, 1, 1, 3)).astype(np.float32)
    images = np.clip(np.repeat(centres, 20, axis=0) + rng.normal(0, 0.05, (60, 16, 16, 3)), -1, 1).astype(np.float32)
    labels = np.repeat(np.arange(3), 20)
    network = recognizers.train_recognizer(images, labels, steps=60, batch_size=16, width=4, embedding_dim=8)
    embed = recognizers.embedder(network)
    gallery = embed(np.repeat(centres, 16, axis=1).repeat(16, axis=2))
    assert recognizers.nearest_correct(embed(images), labels, gallery, np.arange(3)).mean() >= 0.9


def test_a_recognizer_needs_two_identities():
    with pytest.raises(GanzooError, match=">= 2 identities"):
        recognizers.train_recognizer(np.zeros((4, 8, 8, 3), np.float32), np.zeros(4), steps=1)


def test_the_benchmarks_judges_train_on_training_identities_only(monkeypatch, tmp_path):
    """benchmarks/frontalization.py: a judge never sees a test identity; pose_sensitive sees |yaw| <= 15."""
    import os

    from repo_files import load_file

    # load_file: other benchmarks loaded in this process define the same absl flags (--workdir).
    bench = load_file("benchmarks/frontalization.py")
    asked, seen = [], {}

    def arrays(split, size, **options):
        asked.append((split, options["version"]))
        ids = bench.synthfaces.split_identities(split, options["num_identities"])
        yaw = np.tile([-90, -15, 0, 15, 90], len(ids))
        return {"pose": np.zeros((len(yaw), size, size, 3), np.uint8), "identity": np.repeat(ids, 5), "yaw": yaw}

    def train(images, identities, **kwargs):
        seen["ids"], seen["count"] = set(np.unique(identities).tolist()), len(images)
        seen["max_blur"] = kwargs.get("max_blur", 0.0)
        return recognizers.build_recognizer(images.shape[1:], width=2, embedding_dim=4)

    monkeypatch.setattr(bench.synthfaces, "arrays", arrays)
    monkeypatch.setattr(bench.recognizers, "train_recognizer", train)
    monkeypatch.setenv("GANZOO_CACHE_DIR", str(tmp_path))
    options = {"num_identities": 10, "variants": 1, "version": 2}
    bench.recognizer("pose_sensitive", 8, options, steps=1)
    test_ids = set(bench.synthfaces.split_identities("test", 10).tolist())
    assert asked == [("train", 2)] and seen["ids"] and not seen["ids"] & test_ids
    assert seen["count"] == 3 * 8  # |yaw| <= 15 of the 8 training identities
    bench.recognizer("all_pose", 8, options, steps=1)
    assert seen["count"] == 5 * 8 and seen["max_blur"] == 0.0
    bench.recognizer("all_pose_blur", 8, options, steps=1)
    assert seen["count"] == 5 * 8 and seen["max_blur"] == 1.5 and not seen["ids"] & test_ids
    assert sorted(os.listdir(tmp_path / "recognizers")) == [
        "v2-all_pose-8-10-1-1.keras", "v2-all_pose_blur-8-10-1-1.keras", "v2-pose_sensitive-8-10-1-1.keras"]


def test_random_blur_is_a_gaussian_per_image_and_leaves_sigma_zero_unchanged():
    from scipy.ndimage import gaussian_filter

    images = np.random.default_rng(0).uniform(-1, 1, (3, 12, 12, 3)).astype("float32")
    blurred = recognizers.random_blur(images, np.array([0.0, 0.8, 1.5], "float32")).numpy()
    np.testing.assert_array_equal(blurred[0], images[0])
    for i, sigma in ((1, 0.8), (2, 1.5)):
        expected = gaussian_filter(images[i], sigma=(sigma, sigma, 0), mode="reflect", truncate=3.0 / sigma)
        np.testing.assert_allclose(blurred[i], expected, atol=1e-5)


def test_judged_scores_report_the_probes_under_another_light_than_the_gallery_apart():
    # Each identity's second light variant is darker, and the judge below reads a dark face as
    # the other identity: it finds every gallery-light probe and misses every other-light one,
    # and the split must say so.
    light = np.zeros((4, 4, 4, 3), np.uint8)
    light[:2], light[2:] = (250, 10, 10), (10, 10, 250)
    other = light.copy()
    other[:2], other[2:] = (120, 5, 5), (5, 5, 120)
    frontal = np.concatenate([light[:2], other[:2], light[2:], other[2:]])      # id 0: v0, v1; id 1: v0, v1
    data = {"frontal": frontal, "pose": frontal.copy(), "identity": np.repeat([0, 1], 4),
            "yaw": np.tile([0, 60], 4)}
    embed = _colour_judge
    rows = np.flatnonzero(data["yaw"] == 60)
    scores = face_identity.judged_scores(embed, data, {60: face_identity.to_float(frontal[rows])}, bins=(60,),
                                         bootstrap=20)
    assert scores["rank1_true_frontal_yaw60"] == scores["rank1_profile_yaw60"] == 50.0
    assert scores["rank1_true_frontal_other_light_yaw60"] == scores["rank1_profile_other_light_yaw60"] == 0.0
    assert scores["gain_other_light_yaw60"] == 0.0


def _colour_judge(images):
    # Bright red -> identity 0's embedding, bright blue -> identity 1's; the dark variants are
    # read as the other identity.
    colours = np.array([[250, 10, 10], [120, 5, 5], [10, 10, 250], [5, 5, 120]], np.float64) / 127.5 - 1.0
    mean = np.asarray(images, np.float64).reshape(len(images), -1, 3).mean(axis=1)
    index = np.argmin(((mean[:, None] - colours[None]) ** 2).sum(-1), axis=1)
    return np.eye(2)[np.array([0, 1, 1, 0])[index]]
