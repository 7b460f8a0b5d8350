"""One long task in its own QThread (superqt wiring), shared by training and export.

The worker is a QObject moved to the thread; its end signals quit the thread
through a direct connection (``quit()`` is thread-safe, and a UI thread blocked
in ``wait()`` could never run a queued one). Stopping is the worker's
``cancel_token``; nothing is terminated.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread


class ThreadJob(QObject):
    """Owns a worker and the thread it runs in until the worker reports its end."""

    def __init__(self, worker: QObject, name: str, end_signals: tuple[str, ...],
                 parent: QObject | None = None):
        super().__init__(parent)
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName(name)
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        for signal in end_signals:
            getattr(worker, signal).connect(self.thread.quit, Qt.ConnectionType.DirectConnection)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel_token.cancel()

    @property
    def is_running(self) -> bool:
        return self.thread.isRunning()

    def wait(self, milliseconds: int) -> bool:
        """Block until the thread has ended (for shutdown and tests)."""
        return self.thread.wait(milliseconds)
