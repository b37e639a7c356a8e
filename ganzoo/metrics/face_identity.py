"""Face identity: rank-1 recognition with an identity network, and TP-GAN's frontalization score.

Huang et al. 2017 ("Beyond Face Rotation", arXiv 1704.04086, Table 1) judge frontalization by
face recognition: a recognizer's rank-1 accuracy when the probes are the posed faces against
when they are their frontalized versions, with the frontals of the same identities as the
gallery. Recognition here is cosine nearest neighbour of L2-normalised embeddings.

    face_embeddings(network, images)               L2-normalised outputs of a Keras model's layer
    rank1(probe, probe_ids, gallery, gallery_ids)  rank-1 accuracy (%)
    frontalization_scores(network, frontalize, data)
        per yaw bin: rank-1 of the posed probes and of the frontalized ones, their gain, and
        PSNR / SSIM of the frontalized faces against the true frontals
    judged_scores(embed, data, outputs)
        the same rank-1 figures by any judge (``ganzoo.metrics.recognizers``), with the true
        frontals' rank-1 (the ceiling) and a 95% interval of the gain over identities

``data`` is a held-out split as ``ganzoo.data.synthfaces.arrays`` returns it: ``pose`` and
``frontal`` uint8 ``[n, H, W, 3]``, ``landmarks`` float32 ``[n, 5, 2]``, ``identity`` and ``yaw``
int ``[n]``. This module needs no model class: ``frontalize`` is any function
``(images in [-1, 1], landmarks) -> frontal images in [-1, 1]``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import keras
import numpy as np

from ganzoo.metrics.image_quality import psnr, ssim
from ganzoo.metrics.recognizers import Embedder, identity_bootstrap, nearest_correct

YAW_BINS = (15, 30, 45, 60, 75, 90)


def face_embeddings(network: keras.Model, images: np.ndarray, layer: str = "embedding",
                    batch_size: int = 256) -> np.ndarray:
    """L2-normalised ``layer`` outputs ``[n, D]`` (float64) of ``network`` on images in [-1, 1]."""
    model = keras.Model(network.inputs[0], network.get_layer(layer).output)
    chunks = [np.asarray(model(np.asarray(images[i : i + batch_size], np.float32), training=False))
              for i in range(0, len(images), batch_size)]
    features = np.concatenate(chunks).astype(np.float64).reshape(len(images), -1)
    return features / (np.linalg.norm(features, axis=1, keepdims=True) + 1e-12)


def rank1(probe: np.ndarray, probe_ids: np.ndarray, gallery: np.ndarray, gallery_ids: np.ndarray) -> float:
    """Rank-1 accuracy (%): the share of probes whose most cosine-similar gallery entry has their identity.

    ``probe`` ``[p, D]`` and ``gallery`` ``[g, D]`` are L2-normalised embeddings (``face_embeddings``).
    """
    nearest = np.argmax(np.asarray(probe) @ np.asarray(gallery).T, axis=1)
    return float(100.0 * np.mean(np.asarray(gallery_ids)[nearest] == np.asarray(probe_ids)))


def to_float(images: np.ndarray) -> np.ndarray:
    """uint8 images -> float32 in [-1, 1] (x / 127.5 − 1)."""
    return np.asarray(images).astype(np.float32) / 127.5 - 1.0


def frontalization_scores(network: keras.Model, frontalize: Callable[[np.ndarray, np.ndarray], np.ndarray],
                          data: dict[str, np.ndarray], bins: Sequence[int] = YAW_BINS) -> dict[str, float]:
    """Per yaw bin ±NN: ``rank1_profile_yawNN``, ``rank1_frontal_yawNN``, ``rank1_gain_yawNN`` (points),
    ``psnr_yawNN`` (dB) and ``ssim_yawNN``.

    The gallery is one true frontal per identity (that of its first row in ``data``); the
    probes of a bin are every row with |yaw| = NN, first as posed, then frontalized. PSNR and
    SSIM compare the frontalized faces with their true frontals (RGB, [-1, 1]).
    """
    ids, first = np.unique(data["identity"], return_index=True)
    gallery = face_embeddings(network, to_float(data["frontal"][first]))
    results: dict[str, float] = {}
    for yaw in bins:
        rows = np.flatnonzero(np.abs(data["yaw"]) == yaw)
        pose, truth = to_float(data["pose"][rows]), to_float(data["frontal"][rows])
        output = frontalize(pose, data["landmarks"][rows])
        probe_ids = data["identity"][rows]
        raw = rank1(face_embeddings(network, pose), probe_ids, gallery, ids)
        front = rank1(face_embeddings(network, output), probe_ids, gallery, ids)
        results[f"rank1_profile_yaw{yaw}"] = round(raw, 2)
        results[f"rank1_frontal_yaw{yaw}"] = round(front, 2)
        results[f"rank1_gain_yaw{yaw}"] = round(front - raw, 2)
        results[f"psnr_yaw{yaw}"] = round(float(np.mean(psnr(output, truth))), 3)
        results[f"ssim_yaw{yaw}"] = round(float(np.mean(ssim(output, truth))), 4)
    return results


def judged_scores(embed: Embedder, data: dict[str, np.ndarray], outputs: dict[int, np.ndarray],
                  bins: Sequence[int] = YAW_BINS, bootstrap: int = 1000, seed: int = 0) -> dict[str, float]:
    """Rank-1 (%) of one judge per yaw bin ±NN, for posed, frontalized and true frontal probes.

    ``embed`` maps images in [-1, 1] to L2-normalised embeddings (``recognizers.embedder`` of a
    recognizer never used in training, or ``recognizers.colour_histogram``); ``outputs[NN]`` holds
    the frontalized images of the rows with |yaw| = NN, in ``data``'s order. The gallery is one
    true frontal per identity (its first row). Keys: ``rank1_profile_yawNN``,
    ``rank1_frontalized_yawNN``, ``rank1_true_frontal_yawNN`` (the ceiling: the same rows' true
    frontals as probes), ``gain_yawNN`` (frontalized − profile, points) and ``gain_low_yawNN`` /
    ``gain_high_yawNN`` (95% interval, resampling identities).

    The same three rank-1 figures and gain follow for the probes taken under **another light
    than the gallery's** (their true frontal is not the gallery image), with the suffix
    ``_other_light``: a probe under the gallery's own light and camera colour can be matched by
    those alone, so this half says how far a judge recognises the person.
    """
    ids, first = np.unique(data["identity"], return_index=True)
    gallery_images = np.asarray(data["frontal"][first])
    gallery = embed(to_float(gallery_images))
    results: dict[str, float] = {}
    for yaw in bins:
        rows = np.flatnonzero(np.abs(data["yaw"]) == yaw)
        probe_ids = data["identity"][rows]
        raw = nearest_correct(embed(to_float(data["pose"][rows])), probe_ids, gallery, ids)
        front = nearest_correct(embed(np.asarray(outputs[yaw], np.float32)), probe_ids, gallery, ids)
        truth = nearest_correct(embed(to_float(data["frontal"][rows])), probe_ids, gallery, ids)
        low, high = identity_bootstrap(100.0 * (front.astype(float) - raw), probe_ids, bootstrap, seed)
        results[f"rank1_profile_yaw{yaw}"] = round(100.0 * float(raw.mean()), 2)
        results[f"rank1_frontalized_yaw{yaw}"] = round(100.0 * float(front.mean()), 2)
        results[f"rank1_true_frontal_yaw{yaw}"] = round(100.0 * float(truth.mean()), 2)
        results[f"gain_yaw{yaw}"] = round(100.0 * float(front.mean() - raw.mean()), 2)
        results[f"gain_low_yaw{yaw}"], results[f"gain_high_yaw{yaw}"] = round(low, 2), round(high, 2)
        own = gallery_images[np.searchsorted(ids, probe_ids)]
        other = np.any(np.asarray(data["frontal"][rows]).reshape(len(rows), -1) != own.reshape(len(rows), -1), axis=1)
        if other.any():
            for name, hits in (("profile", raw), ("frontalized", front), ("true_frontal", truth)):
                results[f"rank1_{name}_other_light_yaw{yaw}"] = round(100.0 * float(hits[other].mean()), 2)
            results[f"gain_other_light_yaw{yaw}"] = round(100.0 * float(front[other].mean() - raw[other].mean()), 2)
    return results
