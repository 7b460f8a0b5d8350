"""GrabCut on the canvas: a box, then optional seed strokes, cut off the UI thread.

Drag a box to select the object in it. Ctrl-drag marks sure object, Ctrl+Shift-drag
sure background; each seed stroke re-runs the cut and replaces the previous
result (one undo step). The cut runs in a pool thread (an 8000x8000 photo takes
about a second) and its result is painted only if the same image is still shown.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from core.annotation import brush_segment, grabcut
from gui.workers import TaskRunner


class GrabCutTool(QObject):
    """Owned by MaskCanvas; ``finished()`` after a result was applied (or dropped)."""

    finished = Signal()
    busy_changed = Signal(bool)

    def __init__(self, canvas):
        super().__init__(canvas)
        self.canvas = canvas
        self.runner = TaskRunner(parent=self)
        self.runner.finished.connect(self._apply)
        self.runner.failed.connect(lambda message: (canvas.status.emit(f"GrabCut failed: {message}"),
                                                    self.finished.emit()))
        self.runner.busy_changed.connect(self.busy_changed)
        self.box = None
        self.foreground: np.ndarray | None = None
        self.background: np.ndarray | None = None
        self._result_edit = None   # the history step of the last cut, replaced by a refinement
        self._seed_points: list[tuple[float, float]] = []
        self._seed_is_background = False
        self.seed_preview = [self._path_item(QColor(0, 220, 90, 150)), self._path_item(QColor(230, 40, 40, 150))]

    def _path_item(self, colour: QColor) -> QGraphicsPathItem:
        item = QGraphicsPathItem()
        item.setZValue(9)
        item.setVisible(False)
        self.canvas.scene().addItem(item)
        item.setData(0, colour)
        return item

    def reset(self) -> None:
        """Forget the box and seeds (new image or a new box)."""
        self.box = None
        self.foreground = self.background = None
        self._result_edit = None
        for item in self.seed_preview:
            item.setPath(QPainterPath())
            item.setVisible(False)

    def start_box(self, start, end, value: int) -> None:
        self.reset()
        self.box = (start, end)
        self._run(value)

    def begin_seed(self, point, background: bool) -> None:
        self._seed_points = [point]
        self._seed_is_background = background

    def extend_seed(self, point) -> None:
        if self._seed_points:
            self._seed_points.append(point)
            self._draw_seed()

    @property
    def seeding(self) -> bool:
        return bool(self._seed_points)

    def end_seed(self, value: int) -> None:
        points, self._seed_points = self._seed_points, []
        shape = self.canvas.document.shape
        attribute = "background" if self._seed_is_background else "foreground"
        seeds = getattr(self, attribute)
        if seeds is None:
            seeds = np.zeros(shape, bool)
            setattr(self, attribute, seeds)
        radius = max(1.0, self.canvas.brush_size / 2)
        for start, end in zip(points, points[1:] or points):
            selection = brush_segment(shape, start, end, radius)
            if selection is not None:
                seeds[selection.region.slices] |= selection.pixels
        self._run(value)

    def _draw_seed(self) -> None:
        item = self.seed_preview[1 if self._seed_is_background else 0]
        path = item.path()
        x, y = self._seed_points[-1]
        if len(self._seed_points) == 1 or path.isEmpty():
            path.moveTo(x + 0.5, y + 0.5)
        else:
            path.lineTo(x + 0.5, y + 0.5)
        pen = QPen(item.data(0), max(1.0, self.canvas.brush_size))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        item.setPen(pen)
        item.setPath(path)
        item.setVisible(True)

    def _run(self, value: int) -> None:
        document, image = self.canvas.document, self.canvas.image
        box = self.box
        foreground = None if self.foreground is None else self.foreground.copy()
        background = None if self.background is None else self.background.copy()
        self.canvas.status.emit("GrabCut running...")
        self.runner.submit(lambda: (document, value, grabcut(image, box, foreground, background)))

    def _apply(self, result) -> None:
        document, value, selection = result
        if document is self.canvas.document and selection is not None:
            if self._result_edit is not None and document.history.last is self._result_edit:
                document.undo()  # a refinement replaces the previous cut
            if document.paint(selection, value) is not None:
                self._result_edit = document.history.last
            self.canvas.edited.emit()
        self.canvas.status.emit("")
        self.finished.emit()
