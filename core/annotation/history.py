"""Undo/redo that stores only the changed rectangle of each edit.

An edit keeps the before and after patches of the smallest box that holds
every changed pixel, so a brush stroke on an 8000x8000 mask costs kilobytes,
not 64 MB. Depth is unlimited within a byte budget: when the patches held
exceed it, the oldest undo steps are dropped first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Region:
    """A half-open pixel box: rows ``top:bottom``, columns ``left:right``."""

    top: int
    left: int
    bottom: int
    right: int

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.top, self.bottom), slice(self.left, self.right)

    @property
    def empty(self) -> bool:
        return self.bottom <= self.top or self.right <= self.left

    def union(self, other: "Region | None") -> "Region":
        if other is None or other.empty:
            return self
        if self.empty:
            return other
        return Region(min(self.top, other.top), min(self.left, other.left),
                      max(self.bottom, other.bottom), max(self.right, other.right))

    def clip(self, shape: tuple[int, ...]) -> "Region":
        height, width = shape[:2]
        return Region(max(0, self.top), max(0, self.left), min(height, self.bottom), min(width, self.right))


def changed_region(before: np.ndarray, after: np.ndarray) -> Region | None:
    """Bounding box (in patch coordinates) of the pixels that differ, or None."""
    diff = before != after
    rows = np.flatnonzero(diff.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(diff.any(axis=0))
    return Region(int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)


@dataclass(frozen=True)
class Edit:
    """One undo step: the patch at ``(top, left)`` before and after the change."""

    top: int
    left: int
    before: np.ndarray
    after: np.ndarray

    @property
    def region(self) -> Region:
        height, width = self.before.shape
        return Region(self.top, self.left, self.top + height, self.left + width)

    @property
    def nbytes(self) -> int:
        return int(self.before.nbytes + self.after.nbytes)


class History:
    """Undo and redo stacks of :class:`Edit`, bounded by ``budget_bytes``."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES):
        if budget_bytes <= 0:
            raise ValueError(f"history budget must be > 0 bytes; got {budget_bytes}")
        self.budget_bytes = int(budget_bytes)
        self._undo: list[Edit] = []
        self._redo: list[Edit] = []
        self.dropped = 0  # undo steps forgotten to stay within the budget

    @property
    def nbytes(self) -> int:
        return sum(e.nbytes for e in self._undo) + sum(e.nbytes for e in self._redo)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def last(self) -> Edit | None:
        """The step the next undo would revert."""
        return self._undo[-1] if self._undo else None

    @property
    def depth(self) -> int:
        return len(self._undo)

    def push(self, edit: Edit) -> None:
        """Record a new edit; it clears the redo stack and may drop the oldest steps."""
        self._redo.clear()
        self._undo.append(edit)
        total = self.nbytes
        while total > self.budget_bytes and len(self._undo) > 1:
            total -= self._undo.pop(0).nbytes
            self.dropped += 1

    def undo(self) -> Edit | None:
        if not self._undo:
            return None
        edit = self._undo.pop()
        self._redo.append(edit)
        return edit

    def redo(self) -> Edit | None:
        if not self._redo:
            return None
        edit = self._redo.pop()
        self._undo.append(edit)
        return edit

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
