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

    def __init__(self, path: str | Path | None, problem: str | None = None):
        if problem is None:  # rebuilt from a message alone, as DataLoader workers re-raise errors
            path, problem = None, _original_line(str(path))
        self.path = None if path is None else Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path is not None else problem)


def _original_line(message: str) -> str:
    """The error line at the end of a worker's "Caught X ... Original Traceback" message."""
    lines = [line for line in message.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else message
    for prefix in ("core.errors.DataError: ", "DataError: "):
        if last.startswith(prefix):
            return last[len(prefix):]
    return last


class DataWarning(UserWarning):
    """Something in a dataset was skipped (a broken link); the rest is usable."""


def warn_data(path: str | Path, problem: str) -> None:
    """One warning line naming ``path``; the CLI prints it as ``warning: ...``."""
    import warnings

    warnings.warn(DataWarning(f"{path}: {problem}"), stacklevel=2)


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
