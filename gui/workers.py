"""Run Python callables off the UI thread and get their results back as signals.

``TaskRunner`` is the one pattern every panel uses: submit a callable, receive
``finished(result)`` or ``failed(message)`` on the UI thread. A newer submission
replaces one still waiting ("latest wins"), so fast clicking never queues stale
work. Runners may share a pool: the model pool has a single thread because a
predictor (the NumPy engine caches activations) must not run twice at once.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from core.errors import CnnLyticalError


def describe_error(error: BaseException) -> str:
    """A one-line message for the user: core errors as they are, others with their type."""
    if isinstance(error, CnnLyticalError):
        return str(error)
    return f"{type(error).__name__}: {error}"


BACKGROUND_NICENESS = 5  # worker threads yield the CPU to the UI thread when both want it
# how long a worker may hold the GIL while the UI thread waits. Qt calls Python for every
# item's paint and boundingRect, each a GIL hand-over: with a busy worker a 2.7 ms curve
# repaint took 9.6 ms at 1 ms, 5.9 ms at 0.25 ms (median; p90 22 -> 16 ms)
UI_SWITCH_INTERVAL_S = 0.00025


def lower_thread_priority() -> None:
    """Raise the calling thread's nice value (Linux: per thread), once; harmless elsewhere."""
    if getattr(_niced, "done", False):
        return
    _niced.done = True
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
        except (OSError, AttributeError):
            pass


_niced = threading.local()


def favour_the_ui_thread() -> None:
    """Make worker threads hand the GIL back sooner, so the UI thread never waits long for it."""
    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)


class _JobSignals(QObject):
    done = Signal(int, object)
    failed = Signal(int, str)


class _Job(QRunnable):
    def __init__(self, job_id: int, function: Callable[[], Any], signals: _JobSignals):
        super().__init__()
        self.job_id = job_id
        self.function = function
        self.signals = signals

    def run(self) -> None:
        lower_thread_priority()
        try:
            result = self.function()
        except Exception as error:  # reported to the UI, never raised in a pool thread
            if not isinstance(error, CnnLyticalError):
                traceback.print_exc()
            self.signals.failed.emit(self.job_id, describe_error(error))
        else:
            self.signals.done.emit(self.job_id, result)


class TaskRunner(QObject):
    """At most one job running and one waiting; results of superseded jobs are dropped."""

    finished = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._signals = _JobSignals(self)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        self._latest = 0
        self._running = False
        self._waiting: Callable[[], Any] | None = None

    @property
    def busy(self) -> bool:
        return self._running

    def submit(self, function: Callable[[], Any]) -> None:
        self._latest += 1
        if self._running:
            self._waiting = function
            return
        self._start(function)

    def cancel_pending(self) -> None:
        """Forget waiting work and ignore the result of the running job."""
        self._latest += 1
        self._waiting = None

    def _start(self, function: Callable[[], Any]) -> None:
        self._running = True
        self.busy_changed.emit(True)
        self.pool.start(_Job(self._latest, function, self._signals))

    def _on_done(self, job_id: int, result: object) -> None:
        current = job_id == self._latest
        self._next()
        if current:
            self.finished.emit(result)

    def _on_failed(self, job_id: int, message: str) -> None:
        current = job_id == self._latest
        self._next()
        if current:
            self.failed.emit(message)

    def _next(self) -> None:
        self._running = False
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._start(waiting)
        else:
            self.busy_changed.emit(False)


def single_thread_pool(parent: QObject | None = None) -> QThreadPool:
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    return pool
