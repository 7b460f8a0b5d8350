"""eval scores masks at full resolution and at the model's working size (no training)."""

from __future__ import annotations

import numpy as np

from core.cli.eval_command import evaluate_predictor
from core.data.base import ArrayDataset
from core.data.decode import resize_nearest
from core.prediction import BasePredictor
from core.preprocess import Preprocess


class BlockPredictor(BasePredictor):
    """Predicts, at a 16x24 working size, the 4x4-pixel blocks that are mostly car."""

    def __init__(self, working_mask: np.ndarray):
        super().__init__(kind="segmentation", task="carvana", class_names=["background", "car"],
                         preprocess=Preprocess(3, (16, 24)))
        self.working_mask = working_mask

    def forward(self, batch):
        logits = np.where(self.working_mask > 0, 8.0, -8.0).astype(np.float32)
        return np.repeat(logits[None, None], len(batch), axis=0)  # (N, 1, 16, 24)


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
