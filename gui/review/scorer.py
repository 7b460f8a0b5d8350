"""ReviewScorer: predicts every image of a list in the model pool and scores it.

Work is cut into slices of about a quarter second, each a separate pool job,
so the prediction for the image on screen never waits long behind it.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, QThreadPool, Signal

from core.ranking import image_scores
from gui.prediction.service import foreground_probability
from gui.workers import TaskRunner

SLICE_SECONDS = 0.25
SCORE_NAMES = ("entropy", "max_prob", "error", "predicted")


def score_slice(dataset, predictor, indices: list[int], budget: float = SLICE_SECONDS):
    """Score items from the front of ``indices`` until ``budget`` seconds pass."""
    rows, started = [], time.perf_counter()
    for index in indices:
        sample = dataset[index]
        prediction = foreground_probability(predictor.predict(sample.image))
        scores = image_scores(prediction, sample.target)
        scores["predicted"] = float(np.argmax(prediction)) if prediction.ndim == 1 else np.nan
        label = sample.target if isinstance(sample.target, (int, np.integer)) else None
        rows.append((index, scores, None if label is None else int(label)))
        if time.perf_counter() - started > budget:
            break
    return rows


class ReviewScorer(QObject):
    """``start(dataset, predictor, indices)`` -> ``progress(done, total)`` ... ``finished(scores)``.

    ``scores`` maps each name in SCORE_NAMES to an array over the whole dataset
    (NaN for items not scored).
    """

    progress = Signal(int, int)
    finished = Signal(dict)
    failed = Signal(str)

    def __init__(self, pool: QThreadPool, parent: QObject | None = None):
        super().__init__(parent)
        self._runner = TaskRunner(pool, self)
        self._runner.finished.connect(self._on_slice)
        self._runner.failed.connect(self._on_failed)
        self._remaining: list[int] = []
        self._total = 0
        self._dataset = self._predictor = None
        self.scores: dict[str, np.ndarray] = {}
        self.labels: dict[int, int] = {}  # class labels met while scoring

    @property
    def running(self) -> bool:
        return bool(self._remaining) or self._runner.busy

    def start(self, dataset, predictor, indices) -> None:
        self._dataset, self._predictor = dataset, predictor
        self._remaining = [int(i) for i in indices]
        self._total = len(self._remaining)
        self.scores = {name: np.full(len(dataset), np.nan) for name in SCORE_NAMES}
        self.labels = {}
        self.progress.emit(0, self._total)
        self._next_slice()

    def stop(self) -> None:
        self._remaining = []
        self._runner.cancel_pending()

    def _next_slice(self) -> None:
        dataset, predictor, remaining = self._dataset, self._predictor, list(self._remaining)
        self._runner.submit(lambda: score_slice(dataset, predictor, remaining))

    def _on_slice(self, rows) -> None:
        for index, scores, label in rows:
            for name, value in scores.items():
                self.scores[name][index] = value
            if label is not None:
                self.labels[index] = label
        done = {index for index, _, _ in rows}
        self._remaining = [i for i in self._remaining if i not in done]
        self.progress.emit(self._total - len(self._remaining), self._total)
        if self._remaining:
            self._next_slice()
        else:
            self.finished.emit(self.scores)

    def _on_failed(self, message: str) -> None:
        self._remaining = []
        self.failed.emit(message)
