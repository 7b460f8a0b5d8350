"""Training off the UI thread: a QObject worker moved to a QThread (superqt wiring).

The worker calls ``core.training.api.train`` and forwards each core event as a
Qt signal carrying the frozen event dataclass (plain values only). Stopping is a
flag (``CancelToken``) the trainer checks between batches; never terminate().
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from core.errors import CnnLyticalError, one_line
from core.runs.config import TrainConfig
from core.runs.events import CancelToken, RunEnded, RunStarted
from gui.thread_job import ThreadJob

log = logging.getLogger(__name__)

TrainFunction = Callable[..., Any]


class TrainingWorker(QObject):
    """Runs one training in whichever thread it lives in; reports through signals."""

    event_emitted = Signal(object)          # RunStarted | BatchEnd | EpochEnd | RunEnded
    finished = Signal(str, str, str)        # run_dir, status, message (exactly once)

    def __init__(self, config: TrainConfig, train_function: TrainFunction):
        super().__init__()
        self.config = config
        self.cancel_token = CancelToken()
        self._train = train_function
        self._run_dir = config.out or ""
        self._ended: RunEnded | None = None

    def _on_event(self, event) -> None:
        if isinstance(event, RunStarted):
            self._run_dir = event.run_dir
        elif isinstance(event, RunEnded):
            self._ended = event
            self._run_dir = event.run_dir or self._run_dir
        self.event_emitted.emit(event)

    @Slot()
    def run(self) -> None:
        try:
            self._train(self.config, self._on_event, self.cancel_token)
        except Exception as error:  # noqa: BLE001 - every failure becomes a message, never a crash
            if not isinstance(error, CnnLyticalError):
                log.error("training failed:\n%s", traceback.format_exc())
            if self._ended is None or self._ended.status != "failed":
                self._ended = RunEnded("failed", self._run_dir, one_line(error))
                self.event_emitted.emit(self._ended)
        if self._ended is None:  # a trainer that returned without a RunEnded event
            status = "cancelled" if self.cancel_token.cancelled else "finished"
            self._ended = RunEnded(status, self._run_dir)
        self.finished.emit(self._ended.run_dir or self._run_dir, self._ended.status,
                           self._ended.message)


class TrainingJob(ThreadJob):
    """One training run in its own QThread; owns the thread until it has finished."""

    event_emitted = Signal(object)
    finished = Signal(str, str, str)

    def __init__(self, config: TrainConfig, train_function: TrainFunction, parent=None):
        super().__init__(TrainingWorker(config, train_function), "training", ("finished",), parent)
        self.worker.event_emitted.connect(self.event_emitted)
        self.worker.finished.connect(self.finished)
