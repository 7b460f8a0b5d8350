"""Predictor stand-ins with the ``core.inference.Predictor`` contract, deterministic and fast.

They let window tests check what is drawn for a given prediction without
training; the real trainer and predictor are driven in the training tests.
"""

from __future__ import annotations

import numpy as np

from core.preprocess import Preprocess


class FakeClassifier:
    """Probabilities peaked on (sum of pixels) mod C: some right, some wrong."""

    kind = "classification"
    engine = "fake"

    def __init__(self, class_names: list[str], channels: int = 1):
        self.class_names = list(class_names)
        self.preprocess = Preprocess(channels=channels, size=None)
        self.calls = 0

    def predict(self, image: np.ndarray) -> np.ndarray:
        self.calls += 1
        classes = len(self.class_names)
        logits = np.zeros(classes)
        logits[int(np.asarray(image, np.int64).sum()) % classes] = 3.0
        logits[int(image.flat[image.size // 2]) % classes] += 1.0
        probabilities = np.exp(logits)
        return probabilities / probabilities.sum()

    def first_layer_filters(self) -> np.ndarray:
        return np.random.default_rng(0).normal(size=(6, 1, 5, 5)).astype(np.float32)

    def feature_maps(self, image: np.ndarray):
        grey = np.asarray(image, np.float32)
        grey = grey.mean(axis=2) if grey.ndim == 3 else grey
        return [("conv1", np.stack([grey * (k + 1) for k in range(6)]))]


class FakeSegmenter:
    """Foreground where the image is bright: a plausible mask with some errors."""

    kind = "segmentation"
    engine = "fake"
    class_names = ["background", "car"]
    preprocess = Preprocess(channels=3, size=None)

    def first_layer_filters(self) -> None:
        return None  # the predictor contract: None = no filters to show

    def predict(self, image: np.ndarray) -> np.ndarray:
        grey = np.asarray(image, np.float32)
        grey = grey.mean(axis=2) if grey.ndim == 3 else grey
        return (1.0 / (1.0 + np.exp(-(grey - 110.0) / 12.0))).astype(np.float32)
