"""synthfaces version 2: deterministic, split by identity, colour varies within an identity; version 1 unchanged."""

import hashlib
import os

import numpy as np
import pytest

from ganzoo.data import registry, synthfaces
from ganzoo.errors import GanzooError

SMALL = dict(image_size=16, num_identities=10, variants=2, version=2)


def digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("synthfaces_v2"))


def test_version_1_stays_the_default_and_renders_what_it_rendered_before_version_2():
    # Hashes of main's renders at a582435 (before version 2 existed): the shipped preset
    # frontalization_synthfaces and its stored figures depend on these pixels.
    images, marks = synthfaces.render_identity(3, 32, 2, seed=0, yaws=(-60, 0, 45))
    assert (digest(images), digest(marks)) == ("13113a8bd501265c", "2f284eb181b86221")
    data = synthfaces.arrays("test", 16, num_identities=5, variants=2, yaws=(-90, 0, 30), cache=False)
    assert digest(data["pose"]) == "85f56c1ee0711cc4" and digest(data["frontal"]) == "3df697f1dc9499ec"
    assert digest(data["landmarks"]) == "139eb883718f325d"


def test_version_2_is_deterministic_in_seed_and_differs_from_version_1():
    a, la = synthfaces.render_identity(3, 24, 2, seed=0, yaws=(0, 60), version=2)
    b, lb = synthfaces.render_identity(3, 24, 2, seed=0, yaws=(0, 60), version=2)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    assert not np.array_equal(a, synthfaces.render_identity(3, 24, 2, seed=1, yaws=(0, 60), version=2)[0])
    assert not np.array_equal(a, synthfaces.render_identity(4, 24, 2, seed=0, yaws=(0, 60), version=2)[0])
    assert not np.array_equal(a, synthfaces.render_identity(3, 24, 2, seed=0, yaws=(0, 60))[0])


def test_version_2_splits_are_disjoint_by_identity_and_cached_apart_from_version_1(cache):
    train = synthfaces.arrays("train", cache_dir=cache, **SMALL)
    test = synthfaces.arrays("test", cache_dir=cache, **SMALL)
    assert set(train["identity"]) == {0, 1, 2, 3, 5, 6, 7, 8} and set(test["identity"]) == {4, 9}
    assert len(test["pose"]) == 2 * 2 * 13
    # The frontal truth is the same variant's yaw-0 view (same light and camera).
    np.testing.assert_array_equal(test["frontal"][test["yaw"] == 0], test["pose"][test["yaw"] == 0])
    files = sorted(os.listdir(os.path.join(cache, "synthfaces")))
    assert [f.split("-")[:7] for f in files] == [["renderer2", "v1", "16", "10", "2", "0", split]
                                                 for split in ("test", "train")], files
    again = synthfaces.arrays("test", cache_dir=cache, **SMALL)
    np.testing.assert_array_equal(again["pose"], test["pose"])
    version_1 = synthfaces.arrays("test", cache_dir=cache, **{**SMALL, "version": 1})
    assert not np.array_equal(version_1["pose"], test["pose"])
    assert len(os.listdir(os.path.join(cache, "synthfaces"))) == 3


def head_mean_colours(version: int, identities: int = 8, variants: int = 3) -> np.ndarray:
    """Mean RGB in [0, 1] of the head (background left out) in each frontal view: ``[identities, variants, 3]``."""
    means = np.zeros((identities, variants, 3))
    for i in range(identities):
        images, _ = synthfaces.render_identity(i, 24, variants, seed=0, yaws=(0,), version=version)
        for v in range(variants):
            pixels = images[v, 0].reshape(-1, 3) / 255.0
            head = np.any(np.abs(pixels - synthfaces.BACKGROUND) > 0.04, axis=-1)
            means[i, v] = pixels[head].mean(axis=0)
    return means


def test_version_2_colour_varies_as_much_within_an_identity_as_between_identities():
    def within_over_between(means):
        within = np.sqrt(np.mean(np.sum((means - means.mean(1, keepdims=True)) ** 2, -1)))
        between = np.sqrt(np.mean(np.sum((means.mean(1) - means.mean((0, 1))) ** 2, -1)))
        return within / between

    ratios = {}
    for version in (1, 2):
        means = head_mean_colours(version)
        # Colour, and chromaticity (r, g, b over their sum): white lights change the first, the
        # camera's white balance the second (version 2 without camera colour: ~0.84).
        ratios[version] = (within_over_between(means), within_over_between(means / means.sum(-1, keepdims=True)))
    # Measured: version 1 ~(0.33, 0.11) (tone identifies), version 2 ~(1.45, 1.21).
    assert max(ratios[1]) < 0.5 and ratios[2][0] > 0.8 and ratios[2][1] > 1.0, ratios


def test_version_2_reaches_the_registry_and_bad_versions_are_refused(cache):
    batch = next(iter(registry.load("synthfaces", batch_size=4, cache_dir=cache, **SMALL)))
    assert batch[0].shape == (4, 16, 16, 3) and batch[1]["frontal"].shape == (4, 16, 16, 3)
    with pytest.raises(GanzooError, match="version=3"):
        synthfaces.arrays("train", cache_dir=cache, **{**SMALL, "version": 3})


def test_version_2_landmarks_stay_inside_the_frame_even_where_the_nose_passes_its_edge():
    # Identity 10's nose tip projects 0.8 px past the right edge at +90° (a larger v2 head):
    # the landmark is kept on the edge, inside [0, size - 1], where FrontalizationGAN checks it.
    _, points = synthfaces.render_identity(10, 64, variants=1, seed=0, version=2)
    assert points.min() >= 0.0 and points.max() <= 63.0
    assert points[-1, 2, 0] == 63.0  # +90°, the nose tip's x, on the edge
    assert points[:-1].max() < 63.0
