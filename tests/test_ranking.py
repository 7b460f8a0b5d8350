"""Review-queue scores: uncertainty by entropy / top probability, error, and the ranking order."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.ranking import (class_entropy, classification_uncertainty, dice, image_scores,
                          mask_low_confidence, mask_uncertainty, rank)


def test_entropy_is_zero_for_certain_and_one_for_uniform():
    assert class_entropy(np.array([1.0, 0.0, 0.0])) == pytest.approx(0.0, abs=1e-9)
    assert class_entropy(np.full(10, 0.1)) == pytest.approx(1.0)
    p = np.array([0.7, 0.2, 0.1])
    expected = -(0.7 * math.log(0.7) + 0.2 * math.log(0.2) + 0.1 * math.log(0.1)) / math.log(3)
    assert class_entropy(p) == pytest.approx(expected)


def test_uncertainty_methods_disagree_where_they_should():
    peaked_pair = np.array([0.5, 0.5, 0.0, 0.0])   # one of two: top prob low, entropy moderate
    spread = np.array([0.55, 0.15, 0.15, 0.15])    # top prob higher, entropy higher
    assert classification_uncertainty(peaked_pair, "max_prob") > \
        classification_uncertainty(spread, "max_prob")
    assert classification_uncertainty(peaked_pair, "entropy") < \
        classification_uncertainty(spread, "entropy")
    with pytest.raises(ValueError, match="unknown uncertainty method"):
        classification_uncertainty(spread, "margin")


def test_batched_uncertainty_matches_per_row():
    probabilities = np.random.default_rng(0).dirichlet(np.ones(5), size=7)
    batched = classification_uncertainty(probabilities)
    assert batched.shape == (7,)
    np.testing.assert_allclose(batched, [class_entropy(row) for row in probabilities])


def test_mask_uncertainty_is_mean_pixel_entropy_in_bits():
    mask = np.array([[0.0, 1.0], [0.5, 0.5]])
    assert mask_uncertainty(mask) == pytest.approx(0.5, abs=1e-6)  # two sure, two coin flips
    assert mask_low_confidence(mask) == pytest.approx(0.5)
    assert mask_uncertainty(np.full((4, 4), 0.5)) == pytest.approx(1.0)


def test_dice_of_thresholded_masks():
    truth = np.zeros((4, 4), np.uint8)
    truth[:2] = 1                                 # 8 pixels
    prediction = np.zeros((4, 4))
    prediction[1:3] = 0.9                         # 8 pixels, 4 shared
    assert dice(prediction, truth) == pytest.approx(2 * 4 / 16)
    assert dice(np.zeros((3, 3)), np.zeros((3, 3))) == 1.0


def test_image_scores_for_classes_and_masks():
    scores = image_scores(np.array([0.1, 0.7, 0.2]), 2)
    assert scores["error"] == pytest.approx(0.8)
    assert scores["max_prob"] == pytest.approx(0.3)
    assert math.isnan(image_scores(np.array([0.5, 0.5]), None)["error"])
    truth = np.ones((2, 2), np.uint8)
    mask_scores = image_scores(np.array([[0.9, 0.9], [0.1, 0.1]]), truth)
    assert mask_scores["error"] == pytest.approx(1 - 2 * 2 / 6)
    assert math.isnan(image_scores(np.zeros((2, 2)), None)["error"])


def test_rank_puts_highest_first_and_unscored_last():
    scores = np.array([0.2, np.nan, 0.9, 0.5, 0.9])
    assert rank(scores).tolist() == [2, 4, 3, 0, 1]
