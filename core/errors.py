"""Errors a user can act on.

Every error raised for bad input names the file and what is wrong in one line;
the CLI prints ``str(error)`` and exits non-zero, the GUI shows it in a dialog.
Programming errors stay ordinary exceptions (and tracebacks).
"""

from __future__ import annotations

from pathlib import Path


class CnnLyticalError(Exception):
    """Base of all user-facing errors: the message is the whole story."""


class DataError(CnnLyticalError):
    """A dataset, image or mask on disk is missing, malformed or inconsistent."""

    def __init__(self, path: str | Path | None, problem: str):
        self.path = None if path is None else Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path is not None else problem)


class RunError(CnnLyticalError):
    """A run directory or model file cannot be used (missing, corrupt, mismatched)."""

    def __init__(self, path: str | Path | None, problem: str):
        self.path = None if path is None else Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path is not None else problem)


class TrainingError(CnnLyticalError):
    """Training cannot go on (for example the loss became NaN)."""


def one_line(error: BaseException) -> str:
    """What a user sees for any failure: a core error's own message, else type and first line."""
    if isinstance(error, CnnLyticalError):
        return str(error)
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
