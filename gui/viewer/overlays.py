"""Mask overlays as RGBA images (numpy only); opacity is applied by the view.

Errors compare the thresholded prediction with the ground truth: false
positives (predicted, not true) and false negatives (true, missed) get two
distinct colours; correct pixels stay clear so the eye goes to the mistakes.
"""

from __future__ import annotations

import numpy as np

PREDICTION_COLOUR = (255, 140, 0)       # orange
GROUND_TRUTH_COLOUR = (40, 200, 90)     # green
FALSE_POSITIVE_COLOUR = (235, 50, 80)   # red: predicted but not there
FALSE_NEGATIVE_COLOUR = (40, 140, 255)  # blue: there but missed
OVERLAY_MODES = {
    "none": "No overlay",
    "prediction": "Predicted mask",
    "truth": "Ground-truth mask",
    "errors": "Errors (FP red, FN blue)",
}


def colour_mask(mask: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """bool/0-1 (H, W) -> uint8 (H, W, 4): ``colour`` where set, transparent elsewhere."""
    overlay = np.zeros(mask.shape + (4,), np.uint8)
    overlay[mask.astype(bool)] = (*colour, 255)
    return overlay


def error_overlay(predicted: np.ndarray, truth: np.ndarray,
                  false_positive: tuple[int, int, int] = FALSE_POSITIVE_COLOUR,
                  false_negative: tuple[int, int, int] = FALSE_NEGATIVE_COLOUR) -> np.ndarray:
    """FP and FN pixels of a binary prediction against a binary truth, (H, W, 4) uint8."""
    predicted, truth = predicted.astype(bool), truth.astype(bool)
    overlay = np.zeros(truth.shape + (4,), np.uint8)
    overlay[predicted & ~truth] = (*false_positive, 255)
    overlay[~predicted & truth] = (*false_negative, 255)
    return overlay


def build_overlay(mode: str, probabilities: np.ndarray | None, truth: np.ndarray | None,
                  colour: tuple[int, int, int] = PREDICTION_COLOUR,
                  threshold: float = 0.5) -> np.ndarray | None:
    """The overlay for ``mode``, or None when its inputs are missing or shapes disagree."""
    predicted = None if probabilities is None else probabilities >= threshold
    if mode == "prediction" and predicted is not None:
        return colour_mask(predicted, colour)
    if mode == "truth" and truth is not None:
        return colour_mask(truth > 0, GROUND_TRUTH_COLOUR)
    if mode == "errors" and predicted is not None and truth is not None:
        if predicted.shape != truth.shape:
            return None
        return error_overlay(predicted, truth > 0)
    return None


def error_counts(probabilities: np.ndarray, truth: np.ndarray,
                 threshold: float = 0.5) -> tuple[int, int]:
    """(false positive pixels, false negative pixels)."""
    predicted, truth = probabilities >= threshold, truth > 0
    return int(np.sum(predicted & ~truth)), int(np.sum(~predicted & truth))
