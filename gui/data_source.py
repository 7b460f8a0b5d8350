"""DatasetSource: opens datasets off the UI thread (demo data takes a second to draw).

The choices users see in the task selector are demo data of each task plus
the folder they opened last; errors from ``core`` come back as one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from core.tasks import TASKS
from gui.workers import TaskRunner

DEMO_CHOICES = {name: f"{spec.title} demo" for name, spec in TASKS.items() if spec.demo}


@dataclass(frozen=True)
class DataChoice:
    """A dataset the user asked for: ``path`` None means the built-in demo of ``task``."""

    path: str | None
    task: str | None

    @property
    def title(self) -> str:
        if self.path is None:
            return DEMO_CHOICES.get(self.task or "mnist", f"{self.task} demo")
        return self.path


def open_choice(choice: DataChoice, demo_size: int | None = None):
    from core.data import demo_dataset, open_dataset

    if choice.path is None and demo_size is not None:
        return demo_dataset(choice.task or "mnist", size=demo_size)
    return open_dataset(choice.path, task=choice.task)


class DatasetSource(QObject):
    """``request(choice)`` -> ``opened(choice, dataset)`` or ``failed(choice, message)``."""

    opened = Signal(object, object)
    failed = Signal(object, str)
    busy_changed = Signal(bool)

    def __init__(self, demo_size: int | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.demo_size = demo_size  # smaller demo sets keep tests fast
        self._runner = TaskRunner(parent=self)
        self._requested: DataChoice | None = None
        self._runner.finished.connect(self._on_finished)
        self._runner.failed.connect(lambda message: self.failed.emit(self._requested, message))
        self._runner.busy_changed.connect(self.busy_changed)

    @property
    def busy(self) -> bool:
        return self._runner.busy

    def wait(self) -> None:
        """Block until the dataset being opened (if any) is done (window close, tests)."""
        self._runner.pool.waitForDone()

    def request(self, choice: DataChoice) -> None:
        self._requested = choice
        size = self.demo_size
        self._runner.submit(lambda: (choice, open_choice(choice, size)))

    def _on_finished(self, result) -> None:
        choice, dataset = result
        self.opened.emit(choice, dataset)
