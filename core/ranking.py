"""Per-image model scores for the review queue and the browser's model orders.

Pure numpy. Scores per image, all "higher is worse":
- uncertainty, how unsure the model is without looking at the label, by two
  methods: ``entropy`` (normalised entropy of the class probabilities; for
  masks the mean per-pixel binary entropy) and ``max_prob`` (one minus the top
  probability; for masks its per-pixel mean, rescaled), both in [0, 1];
- ``error``: how wrong it is, given the label (one minus the probability of the
  true class; for masks one minus the Dice overlap), in [0, 1], NaN when the
  image has no label.
"""

from __future__ import annotations

import numpy as np

UNCERTAINTY_METHODS = ("entropy", "max_prob")
_EPS = 1e-12


def class_entropy(probabilities: np.ndarray) -> np.ndarray:
    """Entropy of (..., C) class probabilities divided by log(C), so 1 = uniform."""
    p = np.clip(np.asarray(probabilities, np.float64), _EPS, 1.0)
    classes = p.shape[-1]
    if classes < 2:
        return np.zeros(p.shape[:-1])
    return -np.sum(p * np.log(p), axis=-1) / np.log(classes)


def classification_uncertainty(probabilities: np.ndarray, method: str = "entropy") -> np.ndarray:
    """(..., C) -> (...) uncertainty in [0, 1] by ``method`` ("entropy" or "max_prob")."""
    if method == "entropy":
        return class_entropy(probabilities)
    if method == "max_prob":
        return 1.0 - np.max(np.asarray(probabilities, np.float64), axis=-1)
    raise ValueError(f"unknown uncertainty method {method!r}; choose one of {UNCERTAINTY_METHODS}")


def mask_uncertainty(probabilities: np.ndarray) -> float:
    """Mean binary entropy (in bits, so in [0, 1]) of a (H, W) foreground-probability mask."""
    p = np.clip(np.asarray(probabilities, np.float64), _EPS, 1.0 - _EPS)
    bits = -(p * np.log2(p) + (1.0 - p) * np.log2(1.0 - p))
    return float(np.mean(bits))


def dice(probabilities: np.ndarray, truth: np.ndarray, threshold: float = 0.5) -> float:
    """Dice overlap of the thresholded prediction with ``truth > 0``; 1 when both are empty."""
    predicted, actual = np.asarray(probabilities) >= threshold, np.asarray(truth) > 0
    total = int(predicted.sum()) + int(actual.sum())
    if total == 0:
        return 1.0
    return 2.0 * float(np.sum(predicted & actual)) / total


def mask_low_confidence(probabilities: np.ndarray) -> float:
    """Mean over pixels of one minus the probability of the pixel's chosen side, times 2 (in [0, 1])."""
    p = np.asarray(probabilities, np.float64)
    return float(np.mean(1.0 - np.maximum(p, 1.0 - p)) * 2.0)


def image_scores(prediction: np.ndarray, target) -> dict[str, float]:
    """Scores of one image's prediction ((C,) probabilities or (H, W) mask probabilities).

    ``entropy`` and ``max_prob``: uncertainty by each method, in [0, 1];
    ``error``: one minus the true class probability (or Dice), NaN without a label.
    """
    prediction = np.asarray(prediction)
    if prediction.ndim == 1:
        has_label = target is not None and np.ndim(target) == 0 and 0 <= int(target) < len(prediction)
        return {"entropy": float(class_entropy(prediction)),
                "max_prob": float(classification_uncertainty(prediction, "max_prob")),
                "error": 1.0 - float(prediction[int(target)]) if has_label else float("nan")}
    usable = isinstance(target, np.ndarray) and target.shape == prediction.shape
    return {"entropy": mask_uncertainty(prediction),
            "max_prob": mask_low_confidence(prediction),
            "error": 1.0 - dice(prediction, target) if usable else float("nan")}


def rank(scores: np.ndarray) -> np.ndarray:
    """Positions of ``scores`` from highest to lowest; NaN (not scored) last, ties stable."""
    values = np.asarray(scores, np.float64)
    known = ~np.isnan(values)
    return np.lexsort((np.where(known, -values, 0.0), ~known))
