"""Inception Score on class-probability tables with closed-form values."""

import math

import numpy as np
import pytest

from ganzoo.errors import GanzooError
from ganzoo.metrics import inception_score_from_probs


def test_uniform_predictions_score_one():
    mean, std = inception_score_from_probs(np.full((100, 7), 1 / 7), splits=5)
    assert mean == pytest.approx(1.0) and std == pytest.approx(0.0, abs=1e-12)


def test_confident_balanced_predictions_score_the_number_of_classes():
    probs = np.eye(10)[np.arange(200) % 10]
    assert inception_score_from_probs(probs, splits=4)[0] == pytest.approx(10.0)


def test_mixed_predictions_match_hand_computed_kl():
    # Half one-hot (1, 0), half (½, ½): p(y) = (¾, ¼).
    probs = np.array([[1.0, 0.0], [0.5, 0.5]] * 50)
    kl_onehot = math.log(1 / 0.75)
    kl_half = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    expected = math.exp((kl_onehot + kl_half) / 2)
    assert inception_score_from_probs(probs, splits=1)[0] == pytest.approx(expected, rel=1e-12)


def test_splits_give_mean_and_std_across_chunks():
    # Chunk 1 confident over 2 classes (IS 2), chunk 2 uniform (IS 1): 1.5 ± 0.5.
    probs = np.concatenate([np.eye(2)[np.arange(10) % 2], np.full((10, 2), 0.5)])
    assert inception_score_from_probs(probs, splits=2) == pytest.approx((1.5, 0.5))


def test_logits_and_too_few_samples_are_rejected():
    with pytest.raises(GanzooError, match="softmax"):
        inception_score_from_probs(np.array([[2.0, -1.0], [0.3, 0.1]]), splits=1)
    with pytest.raises(GanzooError, match="at least 10 samples"):
        inception_score_from_probs(np.full((5, 2), 0.5), splits=10)
