"""Export off the UI thread: a QObject worker moved to a QThread (superqt wiring).

The worker calls ``core.export.pipeline.export_run``; stages arrive as
``progress(stage, message)``, the end as ``finished(report)`` or ``failed(message)``.
Stopping is a CancelToken the pipeline checks between stages; never terminate().
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import QObject, Signal, Slot

from core.errors import CnnLyticalError, one_line
from core.export.pipeline import ExportCancelled, ExportOptions
from core.runs.events import CancelToken
from gui.thread_job import ThreadJob

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
            self.failed.emit(one_line(error))
        else:
            self.finished.emit(report)


class ExportJob(ThreadJob):
    """One export in its own QThread; the thread quits when the worker reports its end."""

    progress = Signal(str, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, run_dir: str, options: ExportOptions, parent: QObject | None = None):
        ends = ("finished", "failed", "cancelled")
        super().__init__(ExportWorker(run_dir, options), "export", ends, parent)
        for signal in ends:
            getattr(self.worker, signal).connect(getattr(self, signal))
        self.worker.progress.connect(self.progress)
