"""MaskDocument: one image's label mask, its undo history and its change listeners.

Labels are class ids in a uint8 (H, W) array: 0/1 for a binary mask, 0..K for
multi-class masks (with class names and a palette). Every change goes through
this object so that it lands in the history (one step per stroke or tool use),
in the crash journal, and reaches listeners as the rectangle that changed,
which is all a canvas needs to redraw.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

import numpy as np

from core.annotation.history import DEFAULT_BUDGET_BYTES, Edit, History, Region, changed_region
from core.annotation.palette import default_palette
from core.annotation.tools import Point, Selection, brush_segment

STROKE_TILE = 256  # stroke backups are taken per tile, the first time a stroke touches it


class EditRecorder(Protocol):
    """Where completed edits are persisted as they happen (see core.annotation.journal)."""

    def record(self, item_id: str, edit: Edit, mask: np.ndarray) -> None: ...


class _Stroke:
    """A brush stroke in progress: value, radius, last point and the tiles it saved."""

    def __init__(self, value: int, radius: float):
        self.value = value
        self.radius = radius
        self.last: Point | None = None
        self.backups: dict[tuple[int, int], np.ndarray] = {}
        self.region: Region | None = None


class MaskDocument:
    """An editable mask; listeners get ``callback(region)`` after each pixel change."""

    def __init__(self, item_id: str, mask: np.ndarray, class_names: Sequence[str] = ("background", "object"),
                 palette: np.ndarray | None = None, budget_bytes: int = DEFAULT_BUDGET_BYTES,
                 recorder: EditRecorder | None = None):
        mask = np.asarray(mask)
        if mask.ndim != 2:
            raise ValueError(f"a mask must be (H, W); got shape {mask.shape}")
        if len(class_names) < 2:
            raise ValueError("a mask needs at least two classes (background and one object)")
        if int(mask.max(initial=0)) >= len(class_names):
            raise ValueError(f"mask holds class {int(mask.max())} but only {len(class_names)} classes are named")
        self.item_id = item_id
        self.class_names = list(class_names)
        self.palette = default_palette(len(class_names)) if palette is None else np.asarray(palette, np.uint8)
        self.history = History(budget_bytes)
        self.recorder = recorder
        self._saved_at: object = None       # history.last when the mask matched the saved one
        self._saved_dropped = 0
        self._mask = np.ascontiguousarray(mask, dtype=np.uint8).copy()
        self._listeners: list[Callable[[Region], None]] = []
        self._stroke: _Stroke | None = None

    @property
    def mask(self) -> np.ndarray:
        """The live labels; read them, change them only through this document."""
        return self._mask

    @property
    def shape(self) -> tuple[int, int]:
        return self._mask.shape

    @property
    def binary(self) -> bool:
        return len(self.class_names) == 2

    def add_listener(self, callback: Callable[[Region], None]) -> None:
        self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[Region], None]) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def _notify(self, region: Region) -> None:
        for callback in list(self._listeners):
            callback(region)

    def _check_value(self, value: int) -> int:
        if not 0 <= int(value) < len(self.class_names):
            raise ValueError(f"class {value} is not one of the {len(self.class_names)} classes")
        return int(value)

    def _commit(self, top: int, left: int, before: np.ndarray, after: np.ndarray) -> Region | None:
        """Keep the smallest changed box of an edit already applied to the mask."""
        inner = changed_region(before, after)
        if inner is None:
            return None
        box = inner.slices
        edit = Edit(top + inner.top, left + inner.left, before[box].copy(), after[box].copy())
        self.history.push(edit)
        if self.recorder is not None:
            self.recorder.record(self.item_id, edit, self._mask)
        return edit.region

    def paint(self, selection: Selection | None, value: int) -> Region | None:
        """Set the selected pixels to class ``value``: one undo step. Returns the changed box."""
        value = self._check_value(value)
        if selection is None:
            return None
        region = selection.region
        before = self._mask[region.slices].copy()
        after = before.copy()
        after[selection.pixels] = value
        return self._apply_patch(region, before, after)

    def replace(self, new_mask: np.ndarray) -> Region | None:
        """Replace all labels (clean-ups, start from prediction); stores only what changed."""
        new_mask = np.asarray(new_mask, np.uint8)
        if new_mask.shape != self.shape:
            raise ValueError(f"new mask shape {new_mask.shape} differs from the document's {self.shape}")
        self._check_value(int(new_mask.max(initial=0)))
        inner = changed_region(self._mask, new_mask)
        if inner is None:
            return None
        return self._apply_patch(inner, self._mask[inner.slices].copy(), new_mask[inner.slices])

    def _apply_patch(self, region: Region, before: np.ndarray, after: np.ndarray) -> Region | None:
        self._mask[region.slices] = after
        changed = self._commit(region.top, region.left, before, np.ascontiguousarray(after))
        if changed is not None:
            self._notify(changed)
        return changed

    def begin_stroke(self, value: int, radius: float) -> None:
        """Start a brush (or eraser, value 0) stroke; everything until end_stroke is one undo step."""
        if self._stroke is not None:
            self.end_stroke()
        self._stroke = _Stroke(self._check_value(value), float(radius))

    def extend_stroke(self, point: Point) -> Region | None:
        """Paint from the previous point to ``point``; returns the box redrawn now."""
        stroke = self._stroke
        if stroke is None:
            raise RuntimeError("extend_stroke called without begin_stroke")
        start = point if stroke.last is None else stroke.last
        stroke.last = point
        selection = brush_segment(self.shape, start, point, stroke.radius)
        if selection is None:
            return None
        region = selection.region
        self._backup_tiles(stroke, region)
        self._mask[region.slices][selection.pixels] = stroke.value
        stroke.region = region.union(stroke.region)
        self._notify(region)
        return region

    def _backup_tiles(self, stroke: _Stroke, region: Region) -> None:
        for row in range(region.top // STROKE_TILE, (region.bottom - 1) // STROKE_TILE + 1):
            for col in range(region.left // STROKE_TILE, (region.right - 1) // STROKE_TILE + 1):
                if (row, col) not in stroke.backups:
                    tile = self._mask[row * STROKE_TILE:(row + 1) * STROKE_TILE,
                                      col * STROKE_TILE:(col + 1) * STROKE_TILE]
                    stroke.backups[(row, col)] = tile.copy()

    def end_stroke(self) -> Region | None:
        """Finish the stroke: one history entry (and one journal record) for all of it."""
        stroke, self._stroke = self._stroke, None
        if stroke is None or stroke.region is None:
            return None
        region = stroke.region
        after = self._mask[region.slices].copy()
        before = after.copy()
        for (row, col), tile in stroke.backups.items():
            top, left = row * STROKE_TILE, col * STROKE_TILE
            overlap = Region(top, left, top + tile.shape[0], left + tile.shape[1])
            overlap = Region(max(overlap.top, region.top), max(overlap.left, region.left),
                             min(overlap.bottom, region.bottom), min(overlap.right, region.right))
            if not overlap.empty:
                before[overlap.top - region.top:overlap.bottom - region.top,
                       overlap.left - region.left:overlap.right - region.left] = \
                    tile[overlap.top - top:overlap.bottom - top, overlap.left - left:overlap.right - left]
        return self._commit(region.top, region.left, before, after)

    @property
    def stroke_active(self) -> bool:
        return self._stroke is not None

    def undo(self) -> Region | None:
        """Revert the last step; returns the box to redraw (None when nothing to undo)."""
        self.end_stroke()
        edit = self.history.undo()
        return None if edit is None else self._restore(edit, edit.before, edit.after)

    def redo(self) -> Region | None:
        edit = self.history.redo()
        return None if edit is None else self._restore(edit, edit.after, edit.before)

    def _restore(self, edit: Edit, values: np.ndarray, previous: np.ndarray) -> Region:
        region = edit.region
        self._mask[region.slices] = values
        if self.recorder is not None:
            self.recorder.record(self.item_id, Edit(edit.top, edit.left, previous, values), self._mask)
        self._notify(region)
        return region

    def write_patch(self, top: int, left: int, labels: np.ndarray) -> Region | None:
        """Set the box at (top, left) to ``labels``: one undo step (replaying a journal)."""
        labels = np.asarray(labels, np.uint8)
        self._check_value(int(labels.max(initial=0)))
        region = Region(top, left, top + labels.shape[0], left + labels.shape[1])
        if region.clip(self.shape) != region:
            raise ValueError(f"patch {region} lies outside the {self.shape} mask")
        return self._apply_patch(region, self._mask[region.slices].copy(), labels)

    @property
    def modified(self) -> bool:
        """Whether the mask differs from the saved one: undoing back to the save clears it."""
        if self._stroke is not None and self._stroke.region is not None:
            return True
        if self._saved_at is None and self.history.dropped > self._saved_dropped:
            return True  # the steps back to the saved mask were forgotten (history budget)
        return self.history.last is not self._saved_at

    @modified.setter
    def modified(self, value: bool) -> None:
        if value:
            self._saved_at = _UNSAVED
        else:
            self.mark_saved()

    def mark_saved(self) -> None:
        """The mask now equals what is on disk (or what editing started from)."""
        self._saved_at = self.history.last
        self._saved_dropped = self.history.dropped


_UNSAVED = object()  # a history position no undo or redo can reach
