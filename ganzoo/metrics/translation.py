"""Scores of unpaired image-to-image translation (CycleGAN) on held-out images with labels.

- **Label preservation** (the CyCADA check, Hoffman et al. 2018, arXiv 1711.03213): a
  classifier trained on domain B's real images labels G(a); the score is the share that gets
  a's label (likewise F(b) with a classifier of domain A). The same classifier on the
  *untranslated* inputs is the domain-gap baseline, so the gain of translating is visible.
- **Cycle reconstruction**: the mean absolute error ‖F(G(a)) − a‖₁ and ‖G(F(b)) − b‖₁ per pixel,
  in the [-1, 1] range.
- **FCD**: the Fréchet distance (FID's formula) between G(A) and real B in the features of
  B's classifier (and F(B) to real A in A's), ``ganzoo.metrics.fid``.

Classifiers come from ``ganzoo.metrics.domain_classifier`` (cached, seeded). Translations are
functions ``images -> images`` on float32 ``[n, H, W, C]`` arrays in [-1, 1], e.g.
``model.a_to_b`` and ``model.b_to_a`` of a ``ganzoo.models.CycleGAN``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ganzoo.errors import GanzooError
from ganzoo.metrics.extractors import KerasFeatureExtractor, domain_classifier
from ganzoo.metrics.streaming import fid

Translate = Callable[[np.ndarray], np.ndarray]


def accuracy(classifier: KerasFeatureExtractor, images: np.ndarray, labels: np.ndarray, batch_size: int = 256) -> float:
    """The share of ``images`` that ``classifier`` (its softmax head) labels as ``labels``."""
    images, labels = np.asarray(images, np.float32), np.asarray(labels)
    if len(images) != len(labels) or len(images) == 0:
        raise GanzooError(
            f"ganzoo.metrics: accuracy needs as many labels as images (and some images); got {len(images)} "
            f"images and {len(labels)} labels."
        )
    probabilities = classifier.classifier.predict(images, batch_size=batch_size, verbose=0)
    return float(np.mean(np.argmax(probabilities, axis=1) == labels))


def cycle_l1(images: np.ndarray, reconstructions: np.ndarray) -> float:
    """Mean absolute difference per pixel (the cycle loss ‖F(G(a)) − a‖₁ without λ)."""
    images, reconstructions = np.asarray(images, np.float32), np.asarray(reconstructions, np.float32)
    if images.shape != reconstructions.shape:
        raise GanzooError(
            f"ganzoo.metrics: cycle_l1 compares arrays of one shape; got {images.shape} and {reconstructions.shape}."
        )
    return float(np.mean(np.abs(images - reconstructions)))


def domain_classifiers(a: np.ndarray, labels_a: np.ndarray, b: np.ndarray, labels_b: np.ndarray,
                       name: str, **kwargs: Any) -> tuple[KerasFeatureExtractor, KerasFeatureExtractor]:
    """One ``domain_classifier`` per domain, trained on its real (training) images and labels."""
    return (domain_classifier(a, labels_a, name=f"{name}_a", **kwargs),
            domain_classifier(b, labels_b, name=f"{name}_b", **kwargs))


def translation_scores(a_to_b: Translate, b_to_a: Translate, a: np.ndarray, labels_a: np.ndarray,
                       b: np.ndarray, labels_b: np.ndarray, classifier_a: KerasFeatureExtractor,
                       classifier_b: KerasFeatureExtractor) -> dict[str, Any]:
    """Every score on held-out ``a`` and ``b`` (with their labels), as a JSON-ready dict.

    Keys (each with ``"a_to_b"`` and ``"b_to_a"``, accuracies in [0, 1]):
        label_preservation   B's classifier on G(a) / A's on F(b), against the inputs' labels
        untranslated         the same classifiers on a / b themselves (the baseline)
        untranslated_inverted  on −a / −b (a baseline that only swaps dark and light)
        gain                 label_preservation − untranslated
        cycle_l1             ``a_to_b_to_a``: ‖F(G(a)) − a‖₁, ``b_to_a_to_b``: ‖G(F(b)) − b‖₁ per pixel
        fcd                  Fréchet distance of G(A) to real B (B's classifier features) / F(B) to A
    and ``classifier_accuracy`` (``"a"``, ``"b"``: each classifier on its own held-out domain).
    """
    fake_b, fake_a = np.asarray(a_to_b(a), np.float32), np.asarray(b_to_a(b), np.float32)
    rec_a, rec_b = np.asarray(b_to_a(fake_b), np.float32), np.asarray(a_to_b(fake_a), np.float32)
    preserved = {"a_to_b": accuracy(classifier_b, fake_b, labels_a), "b_to_a": accuracy(classifier_a, fake_a, labels_b)}
    untranslated = {"a_to_b": accuracy(classifier_b, a, labels_a), "b_to_a": accuracy(classifier_a, b, labels_b)}
    return {
        "label_preservation": preserved,
        "untranslated": untranslated,
        "untranslated_inverted": {"a_to_b": accuracy(classifier_b, -np.asarray(a), labels_a),
                                  "b_to_a": accuracy(classifier_a, -np.asarray(b), labels_b)},
        "gain": {k: preserved[k] - untranslated[k] for k in preserved},
        "cycle_l1": {"a_to_b_to_a": cycle_l1(a, rec_a), "b_to_a_to_b": cycle_l1(b, rec_b)},
        "fcd": {"a_to_b": fid(np.asarray(b, np.float32), fake_b, classifier_b).fid,
                "b_to_a": fid(np.asarray(a, np.float32), fake_a, classifier_a).fid},
        "classifier_accuracy": {"a": accuracy(classifier_a, a, labels_a), "b": accuracy(classifier_b, b, labels_b)},
        "held_out": {"a": int(len(a)), "b": int(len(b))},
    }


__all__ = ["accuracy", "cycle_l1", "domain_classifiers", "translation_scores"]
