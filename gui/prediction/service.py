"""PredictionService: owns the current model and predicts the current image off the UI thread.

The model comes from a run directory (``core.export.runtimes.open_predictor``):
opened by the user, or the run being trained, reloaded at every epoch end so
the user watches the model learn. It runs on the runtime the run's export
recommended for its current weights (e.g. OpenVINO int8), else on the run's own
engine; ``ModelInfo.runtime`` says which, with its measured figures. All model
work goes through one single-threaded pool shared with the review queue and the
inspector, since a predictor must not run twice at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QObject, QThreadPool, Signal

from core.postprocess import foreground_probability
from gui.workers import TaskRunner, single_thread_pool


@dataclass(frozen=True)
class ModelInfo:
    """What the UI needs to know about the current model."""

    run_dir: str
    kind: str                 # classification | segmentation
    class_names: tuple[str, ...]
    engine: str
    runtime: str = ""         # what predicts, e.g. "OpenVINO int8 · 4.6 ms/image at 128x192, ..."


def load_predictor(run_dir: str):
    """The run's model on its recommended runtime; torch (if needed) is imported here, in the
    pool thread. A runtime that fails falls back, and the note says why."""
    from core.export.runtimes import open_predictor

    warnings: list[str] = []
    predictor = open_predictor(run=run_dir, runtime="auto", warn=warnings.append)
    if warnings:
        predictor.runtime_note = f"{predictor.runtime_note} ({warnings[-1]})"
    return predictor


def describe(run_dir: str, predictor) -> ModelInfo:
    return ModelInfo(run_dir=str(run_dir), kind=str(predictor.kind),
                     class_names=tuple(predictor.class_names),
                     engine=str(getattr(predictor, "engine", "")),
                     runtime=str(getattr(predictor, "runtime_note", "")))


class PredictionService(QObject):
    """Signals: model_changed(ModelInfo | None), model_failed(str),
    prediction_ready(int item, ndarray), prediction_failed(str)."""

    model_changed = Signal(object)
    model_failed = Signal(str)
    prediction_ready = Signal(int, object)
    prediction_failed = Signal(str)

    def __init__(self, loader: Callable[[str], Any] = load_predictor,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.pool: QThreadPool = single_thread_pool(self)
        self._loader = loader
        self.predictor = None
        self.info: ModelInfo | None = None
        self._current: tuple[int, np.ndarray] | None = None
        self._load_runner = TaskRunner(self.pool, self)
        self._predict_runner = TaskRunner(self.pool, self)
        self._load_runner.finished.connect(self._on_loaded)
        self._load_runner.failed.connect(self.model_failed)
        self._predict_runner.finished.connect(self._on_predicted)
        self._predict_runner.failed.connect(self.prediction_failed)

    @property
    def busy(self) -> bool:
        return self._load_runner.busy or self._predict_runner.busy

    def load_run(self, run_dir: str) -> None:
        """Load (or reload) the model of ``run_dir`` in the background."""
        loader = self._loader
        self._load_runner.submit(lambda: (run_dir, loader(run_dir)))

    def set_predictor(self, run_dir: str, predictor) -> None:
        """Use an already built predictor (tests, scripts)."""
        self._on_loaded((run_dir, predictor))

    def clear(self) -> None:
        self._load_runner.cancel_pending()
        self._predict_runner.cancel_pending()
        self.predictor = self.info = None
        self.model_changed.emit(None)

    def set_current(self, item: int, image: np.ndarray) -> None:
        """The image on screen; predicted now if a model is loaded, else when one arrives."""
        self._current = (item, image)
        self._predict_current()

    def _predict_current(self) -> None:
        if self.predictor is None or self._current is None:
            return
        predictor, (item, image) = self.predictor, self._current
        self._predict_runner.submit(lambda: (item, np.asarray(predictor.predict(image))))

    def _on_loaded(self, result) -> None:
        run_dir, predictor = result
        self.predictor = predictor
        self.info = describe(run_dir, predictor)
        self.model_changed.emit(self.info)
        self._predict_current()

    def _on_predicted(self, result) -> None:
        item, prediction = result
        self.prediction_ready.emit(item, foreground_probability(prediction))

    def wait(self) -> None:
        """Block until background model work is done (closing, tests)."""
        self.pool.waitForDone()
