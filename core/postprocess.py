"""Model output -> what a user sees, identical for every predictor (``core.prediction``).

The mirror of ``core/preprocess.py``: numpy and cv2 only, so the ONNX path stays
torch-free.
"""

from __future__ import annotations

import numpy as np


def to_probabilities(logits: np.ndarray) -> np.ndarray:
    """(N, C) or (N, K, H, W) logits -> probabilities: sigmoid for one mask channel, else softmax."""
    logits = np.asarray(logits, np.float32)
    if logits.ndim == 4 and logits.shape[1] == 1:
        return 1.0 / (1.0 + np.exp(-logits))
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def resize_probabilities(probabilities: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(K, h, w) -> (K, H, W), bilinear, as the torch Predictor does."""
    if probabilities.shape[1:] == tuple(size):
        return probabilities
    import cv2

    return np.stack([cv2.resize(np.ascontiguousarray(channel), (size[1], size[0]),
                                interpolation=cv2.INTER_LINEAR) for channel in probabilities])


def mask_output(probabilities: np.ndarray) -> np.ndarray:
    """(1, H, W) -> (H, W) foreground; (2, H, W) -> class 1; more classes stay (K, H, W)."""
    if probabilities.shape[0] == 1:
        return probabilities[0].astype(np.float32)
    if probabilities.shape[0] == 2:
        return probabilities[1].astype(np.float32)
    return probabilities.astype(np.float32)


def foreground_probability(prediction: np.ndarray) -> np.ndarray:
    """Multi-class masks (K, H, W) -> (H, W) probability of "not background"; others unchanged."""
    prediction = np.asarray(prediction)
    return (1.0 - prediction[0]).astype(np.float32) if prediction.ndim == 3 else prediction
