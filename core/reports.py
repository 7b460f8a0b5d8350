"""What a finished run looks like as numbers: its curves and its confusion matrix.

Pure core (no Qt): the GUI's compare-runs view and confusion image, scripts and
tests all read runs through these helpers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import RunError
from core.runs.run_dir import RunDir

LOSS_KEYS = ("train_loss", "val_loss")
NON_CURVE_KEYS = {"epoch", "seconds", "samples_per_s", "is_best", "lr"}
METRIC_ORDER = ("accuracy", "dice", "iou", "pixel_accuracy")
PREDICT_BATCH = 64


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def load_run_curves(run_dir: str | Path) -> dict[str, np.ndarray]:
    """Per-epoch curves from ``metrics.jsonl``: ``{"epoch": (E,), "train_loss": (E,), ...}``.

    Every numeric field becomes a float64 array aligned with ``epoch``; a value
    missing from an epoch (or written as null) is NaN, so the plot shows a gap.
    """
    run = RunDir.open(run_dir)
    records = run.read_metrics()
    names: list[str] = []
    for record in records:
        for key, value in record.items():
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            if key not in names and (numeric or value is None) and key != "epoch":
                names.append(key)
    curves = {"epoch": np.array([_as_float(r.get("epoch", i + 1)) for i, r in enumerate(records)])}
    for key in names:
        curves[key] = np.array([_as_float(r.get(key)) for r in records], dtype=np.float64)
    return curves


def metric_names(curves: dict[str, np.ndarray]) -> list[str]:
    """The task metrics among ``curves`` (accuracy, dice, iou first), without losses/timings."""
    names = [k for k in curves if k not in NON_CURVE_KEYS and k not in LOSS_KEYS]
    return sorted(names, key=lambda k: (METRIC_ORDER.index(k) if k in METRIC_ORDER else 99, k))


def run_label(run_dir: str | Path) -> str:
    """A short legend label: ``folder name (engine, model)``."""
    path = Path(run_dir)
    try:
        config = RunDir.open(path).read_config()
    except RunError:
        return path.name
    engine = config.get("engine", "?")
    model = config.get("model") or "default model"
    return f"{path.name} ({engine}, {model})"


@dataclass(frozen=True)
class ConfusionReport:
    matrix: np.ndarray          # int64 (C, C): rows = true class, columns = predicted class
    class_names: list[str]
    split: str
    items: int

    @property
    def accuracy(self) -> float:
        total = int(self.matrix.sum())
        return float(np.trace(self.matrix)) / total if total else math.nan


def confusion_matrix_for_run(run_dir: str | Path, dataset=None, split: str = "val",
                             limit: int | None = 2000) -> ConfusionReport:
    """Predict ``dataset``'s ``split`` with the run's latest weights and count (true, predicted).

    Classification runs only; at most ``limit`` items (the first ones of the split).
    ``dataset=None`` reopens the data the run was trained on.
    """
    from core.inference import Predictor
    from core.training.metrics import confusion_matrix

    if dataset is None:
        dataset = RunDir.open(run_dir).dataset()
    predictor = Predictor.from_run(run_dir)
    if predictor.kind != "classification":
        raise RunError(run_dir, "a confusion matrix needs a classification run")
    if split not in dataset.splits:
        raise RunError(run_dir, f"the dataset has no {split!r} split (it has {sorted(dataset.splits)})")
    indices = np.asarray(dataset.splits[split])[:limit]
    targets, predictions = [], []
    for start in range(0, len(indices), PREDICT_BATCH):
        samples = [dataset[int(i)] for i in indices[start:start + PREDICT_BATCH]]
        samples = [s for s in samples if s.target is not None]
        if samples:
            probabilities = predictor.predict_batch([s.image for s in samples])
            predictions += [int(np.argmax(p)) for p in probabilities]
            targets += [int(s.target) for s in samples]
    class_names = list(predictor.class_names or dataset.class_names)
    matrix = confusion_matrix(np.array(predictions, np.int64), np.array(targets, np.int64),
                              len(class_names))
    return ConfusionReport(np.asarray(matrix, dtype=np.int64), class_names, split, len(targets))
