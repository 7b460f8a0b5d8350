"""Export off the UI thread: a QObject worker moved to a QThread (superqt wiring).

The worker calls ``core.export.pipeline.export_run``; stages arrive as
``progress(stage, message)``, the end as ``finished(report)`` or ``failed(message)``.
Stopping is a CancelToken the pipeline checks between stages; never terminate().
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from core.errors import CnnLyticalError
from core.export.pipeline import ExportCancelled, ExportOptions
from core.training.events import CancelToken

log = logging.getLogger(__name__)


class ExportWorker(QObject):
    progress = Signal(str, str)     # stage, message
    finished = Signal(object)       # the report (a plain dict)
    failed = Signal(str)            # one line for the user
    cancelled = Signal()

    def __init__(self, run_dir: str, options: ExportOptions):
        super().__init__()
        self.run_dir = run_dir
        self.options = options
        self.cancel_token = CancelToken()

    @Slot()
    def run(self) -> None:
        from core.export.pipeline import export_run

        try:
            report = export_run(self.run_dir, self.options, progress=self.progress.emit,
                                cancel=self.cancel_token)
        except ExportCancelled:
            self.cancelled.emit()
        except Exception as error:  # noqa: BLE001 - every failure becomes a message, never a crash
            if not isinstance(error, CnnLyticalError):
                log.error("export failed:\n%s", traceback.format_exc())
            self.failed.emit(_one_line(error))
        else:
            self.finished.emit(report)


def _one_line(error: BaseException) -> str:
    if isinstance(error, CnnLyticalError):
        return str(error)
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


class ExportJob(QObject):
    """One export in its own QThread; the thread quits when the worker reports its end."""

    progress = Signal(str, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, run_dir: str, options: ExportOptions, parent: QObject | None = None):
        super().__init__(parent)
        self.worker = ExportWorker(run_dir, options)
        self.thread = QThread()
        self.thread.setObjectName("export")
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        for signal in ("finished", "failed", "cancelled"):
            # direct: quit() is thread-safe, and a UI thread blocked in wait() could not run a queued one
            getattr(self.worker, signal).connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
            getattr(self.worker, signal).connect(getattr(self, signal))
        self.worker.progress.connect(self.progress)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel_token.cancel()

    @property
    def is_running(self) -> bool:
        return self.thread.isRunning()

    def wait(self, milliseconds: int) -> bool:
        return self.thread.wait(milliseconds)
