"""eval scores masks at full resolution and at the model's working size (no training)."""

from __future__ import annotations

import cv2
import numpy as np

from core.cli.eval_command import evaluate_predictor
from core.data.base import ArrayDataset
from core.data.decode import resize_nearest
from core.preprocess import Preprocess


class BlockPredictor:
    """A segmentation predictor whose model outputs, at a 16x24 working size, a fixed
    block mask; like every predictor it brings probabilities back to the image's size."""

    kind = "segmentation"
    class_names = ["background", "car"]
    preprocess = Preprocess(3, (16, 24))

    def __init__(self, working_mask: np.ndarray):
        self.working_mask = working_mask

    def predict(self, image, tta=False):
        probability = np.where(self.working_mask > 0, 0.9997, 0.0003).astype(np.float32)  # (16, 24)
        height, width = np.asarray(image).shape[:2]
        return cv2.resize(probability, (width, height), interpolation=cv2.INTER_LINEAR)


def test_eval_reports_full_resolution_and_working_size_dice():
    target = np.zeros((64, 96), np.uint8)
    target[10:45, 13:70] = 1  # edges between the 4-pixel blocks of the working grid
    working = (target.reshape(16, 4, 24, 4).mean(axis=(1, 3)) > 0.5).astype(np.uint8)
    images = np.zeros((3, 64, 96, 3), np.uint8)
    dataset = ArrayDataset(images=images, targets=[target] * 3, kind="segmentation", format="test",
                           task="carvana", class_names=["background", "car"], splits={"train": np.array([0]), "val": np.array([1]), "test": np.array([2])})

    metrics = evaluate_predictor(BlockPredictor(working), dataset, "test")

    assert metrics["working_size"] == [16, 24]
    reduced = resize_nearest(target, (16, 24))  # the working-size target: nearest neighbour
    expected = 2 * (working & reduced).sum() / (working.sum() + reduced.sum())
    assert abs(metrics["at_working_size"]["dice"] - expected) < 1e-3
    assert 0.9 < metrics["dice"] < 1.0  # blocky edges cost at full size
    assert abs(metrics["dice"] - metrics["at_working_size"]["dice"]) > 0.01  # two different scores
