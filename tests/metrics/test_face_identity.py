"""ganzoo.metrics.face_identity: rank-1 recognition and TP-GAN's per-yaw frontalization scores."""

import keras
import numpy as np
import pytest

from ganzoo import metrics
from ganzoo.metrics import face_identity


def test_rank1_is_the_share_of_probes_whose_nearest_gallery_entry_has_their_identity():
    gallery = np.eye(3)
    gallery_ids = np.array([10, 11, 12])
    # Probes 0 and 1 are nearest to their own entry; probe 2 (identity 12) is nearest to 10's.
    probe = np.array([[0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.8, 0.0, 0.6]])
    assert face_identity.rank1(probe, [10, 11, 12], gallery, gallery_ids) == pytest.approx(200 / 3)
    assert face_identity.rank1(gallery, gallery_ids, gallery, gallery_ids) == 100.0


def linear_network(weights, size=2):
    """images [n, size, size, 1] -> flatten -> dense (no bias) "embedding"."""
    images = keras.Input((size, size, 1))
    x = keras.layers.Flatten()(images)
    embedding = keras.layers.Dense(weights.shape[1], use_bias=False, name="embedding")(x)
    network = keras.Model(images, embedding)
    network.get_layer("embedding").set_weights([weights])
    return network


def test_face_embeddings_are_the_layers_outputs_scaled_to_unit_length():
    weights = np.arange(8, dtype="float32").reshape(4, 2)
    network = linear_network(weights)
    images = np.random.default_rng(0).uniform(-1, 1, (5, 2, 2, 1)).astype("float32")
    raw = images.reshape(5, 4) @ weights
    np.testing.assert_allclose(face_identity.face_embeddings(network, images, batch_size=2),
                               raw / np.linalg.norm(raw, axis=1, keepdims=True), rtol=1e-5)
    assert metrics.face_embeddings is face_identity.face_embeddings and metrics.rank1 is face_identity.rank1


def faces(size=12):
    """Two identities: the frontal of 0 lights the top-left quarter, that of 1 the bottom-right one.
    Rows at yaw 0 are frontal; at ±15 the posed faces light both quarters, the top-left one a
    little more, so both are recognised as identity 0."""
    frontal = np.zeros((2, size, size, 1), np.uint8)
    half = size // 2
    frontal[0, :half, :half] = frontal[1, half:, half:] = 255
    pose = np.zeros_like(frontal)
    pose[:, half:, half:] = 250
    pose[0, :half, :half], pose[1, :half, :half] = 255, 252
    return {
        "pose": np.concatenate([frontal, pose, pose]), "frontal": np.concatenate([frontal] * 3),
        "landmarks": np.zeros((6, 5, 2), np.float32), "identity": np.array([0, 1, 0, 1, 0, 1]),
        "yaw": np.array([0, 0, 15, 15, -15, -15]),
    }


def test_frontalization_scores_compare_posed_and_frontalized_probes_per_yaw_bin():
    network = linear_network(np.eye(144, dtype="float32"), size=12)
    data = faces()
    truth = {tuple(face_identity.to_float(p).ravel()): face_identity.to_float(f)
             for p, f in zip(data["pose"], data["frontal"])}
    perfect = lambda pose, marks: np.stack([truth[tuple(p.ravel())] for p in pose])  # noqa: E731
    scores = face_identity.frontalization_scores(network, perfect, data, bins=(15,))
    # Posed: every probe is recognised as identity 0, right for half of them.
    assert scores["rank1_profile_yaw15"] == 50.0
    assert scores["rank1_frontal_yaw15"] == 100.0 and scores["rank1_gain_yaw15"] == 50.0
    assert scores["psnr_yaw15"] > 100 and scores["ssim_yaw15"] == pytest.approx(1.0)
    as_posed = face_identity.frontalization_scores(network, lambda pose, marks: pose, data, bins=(15,))
    assert as_posed["rank1_gain_yaw15"] == 0.0 and as_posed["psnr_yaw15"] < 10
