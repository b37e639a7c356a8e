"""synthfaces: deterministic renders, identity split, landmarks on the face, frontal truth, cache."""

import numpy as np
import pytest

from ganzoo.data import registry, synthfaces
from ganzoo.errors import GanzooError

SMALL = dict(image_size=32, num_identities=10, variants=1)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("synthfaces"))


def test_splits_are_disjoint_by_identity_and_cover_every_yaw(cache):
    train = synthfaces.arrays("train", cache_dir=cache, **SMALL)
    test = synthfaces.arrays("test", cache_dir=cache, **SMALL)
    assert set(train["identity"]) == {0, 1, 2, 3, 5, 6, 7, 8}
    assert set(test["identity"]) == {4, 9}
    assert len(test["pose"]) == 2 * 13 and sorted(set(test["yaw"])) == list(synthfaces.YAWS)
    assert train["pose"].shape == (8 * 13, 32, 32, 3) and train["pose"].dtype == np.uint8


def test_frontal_truth_is_the_yaw_zero_render_of_the_same_head(cache):
    data = synthfaces.arrays("test", cache_dir=cache, **SMALL)
    rows = np.flatnonzero(data["identity"] == 4)
    zero = rows[data["yaw"][rows] == 0][0]
    np.testing.assert_array_equal(data["pose"][zero], data["frontal"][zero])
    for r in rows:
        np.testing.assert_array_equal(data["frontal"][r], data["frontal"][zero])
    profile = rows[data["yaw"][rows] == 90][0]
    assert np.abs(data["pose"][profile].astype(int) - data["frontal"][profile].astype(int)).mean() > 10


def test_renders_are_deterministic_by_seed_and_differ_across_identities_and_seeds():
    a, la = synthfaces.render_identity(3, 32, 1, seed=0, yaws=(0, 45))
    b, lb = synthfaces.render_identity(3, 32, 1, seed=0, yaws=(0, 45))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    assert not np.array_equal(a, synthfaces.render_identity(4, 32, 1, seed=0, yaws=(0, 45))[0])
    assert not np.array_equal(a, synthfaces.render_identity(3, 32, 1, seed=1, yaws=(0, 45))[0])


def test_landmarks_lie_on_the_face_and_follow_the_yaw():
    images, marks = synthfaces.render_identity(0, 64, 1, yaws=(-60, 0, 60))
    assert marks.shape == (3, 5, 2) and (marks > 0).all() and (marks < 63).all()
    frontal = marks[1]
    assert frontal[0, 0] < frontal[2, 0] < frontal[1, 0]       # left eye, nose, right eye
    assert frontal[2, 1] < frontal[3, 1]                         # nose above the mouth
    assert marks[2, 2, 0] > frontal[2, 0] > marks[0, 2, 0]       # the nose moves with the yaw
    x, y = np.round(frontal[2]).astype(int)
    assert np.abs(images[0, 1, y, x].astype(int) - (synthfaces.BACKGROUND * 255).astype(int)).sum() > 30


def test_load_yields_pose_and_info_in_range(cache):
    batch = next(iter(registry.load("synthfaces", batch_size=4, cache_dir=cache, **SMALL)))
    pose, info = batch
    assert pose.shape == (4, 32, 32, 3) and info["frontal"].shape == (4, 32, 32, 3)
    assert info["landmarks"].shape == (4, 5, 2) and info["identity"].dtype.name == "int32"
    assert -1.0 <= float(pose.numpy().min()) and float(pose.numpy().max()) <= 1.0


def test_second_load_reads_the_cache(cache, monkeypatch):
    synthfaces.arrays("train", cache_dir=cache, **SMALL)
    synthfaces.arrays("test", cache_dir=cache, **SMALL)
    monkeypatch.setattr(synthfaces, "render_identity", lambda *a, **k: pytest.fail("rendered again"))
    synthfaces.arrays("test", cache_dir=cache, **SMALL)
    synthfaces.arrays("train", cache_dir=cache, **SMALL)


def test_a_split_renders_only_its_identities_and_matches_the_whole_sets_render(tmp_path, monkeypatch):
    options = dict(image_size=16, num_identities=10, variants=1, yaws=(-90, 0, 45))
    rendered = []
    real = synthfaces.render_identity
    monkeypatch.setattr(synthfaces, "render_identity", lambda i, *a, **k: rendered.append(i) or real(i, *a, **k))
    alone = synthfaces.arrays("test", cache_dir=str(tmp_path / "split"), **options)
    assert rendered == [4, 9]                                  # a fifth of the identities
    whole = synthfaces.arrays("all", cache_dir=str(tmp_path / "whole"), **options)
    assert len(rendered) == 2 + 10
    monkeypatch.setattr(synthfaces, "render_identity", lambda *a, **k: pytest.fail("rendered again"))
    from_whole = synthfaces.arrays("test", cache_dir=str(tmp_path / "whole"), **options)  # read from the 'all' file
    for key in ("pose", "frontal", "landmarks", "identity", "yaw"):
        np.testing.assert_array_equal(alone[key], from_whole[key])
    np.testing.assert_array_equal(alone["pose"], whole["pose"][np.isin(whole["identity"], [4, 9])])


def test_bad_options_are_clear_errors(cache):
    with pytest.raises(GanzooError, match="yaws"):
        synthfaces.arrays("train", yaws=(10,), cache_dir=cache, **SMALL)
    with pytest.raises(GanzooError, match="num_identities=3"):
        synthfaces.arrays("train", image_size=32, num_identities=3, cache_dir=cache)
    with pytest.raises(GanzooError, match="splits"):
        synthfaces.arrays("validation", cache_dir=cache, **SMALL)
