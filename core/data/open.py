"""``open_dataset``: one entry point that detects which format a path holds."""

from __future__ import annotations

from pathlib import Path

from core.data.base import Dataset
from core.data.demo import DEMO_TASKS, demo_dataset
from core.errors import DataError


def open_dataset(path: str | Path | None = None, task: str | None = None, seed: int = 0) -> Dataset:
    """The dataset at ``path`` (format detected, or forced by ``task``).

    ``path=None`` gives the built-in demo data of ``task`` (default mnist).
    Raises DataError with one line naming the file when the data is unusable.
    """
    if path is None:
        task = task or "mnist"
        if task not in DEMO_TASKS:
            raise DataError(None, f"task {task!r} has no demo data; pass a dataset path with --data")
        return demo_dataset(task, seed=seed)
    root = Path(path).expanduser()
    if not root.exists():
        raise DataError(root, "no such file or folder")
    raise DataError(root, "reading datasets from disk is not available yet")
