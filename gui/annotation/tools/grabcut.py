"""GrabCut on the canvas: a box, then optional seed strokes, cut off the UI thread.

Drag a box to select the object in it. Ctrl-drag marks sure object, Ctrl+Shift-drag
sure background; each seed stroke re-runs the cut and replaces the previous
result (one undo step). The cut runs in a pool thread and its result is painted
only if the same image is still shown (core.annotation.grabcut bounds the work).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from core.annotation import brush_segment, grabcut
from gui.annotation.tools.base import Point, ToolEvent
from gui.annotation.tools.box import BoxTool
from gui.workers import TaskRunner


class _Signals(QObject):
    finished = Signal()          # a result was applied (or dropped, or the cut failed)
    busy_changed = Signal(bool)


class GrabCutTool(BoxTool):
    def __init__(self, canvas):
        super().__init__(canvas)
        self._signals = _Signals(canvas)
        self.finished, self.busy_changed = self._signals.finished, self._signals.busy_changed
        self.runner = TaskRunner(parent=self._signals)
        self.runner.finished.connect(self._apply)
        self.runner.failed.connect(self._failed)
        self.runner.busy_changed.connect(self.busy_changed)
        self.box = None
        self.foreground: np.ndarray | None = None
        self.background: np.ndarray | None = None
        self._result_edit = None   # the history step of the last cut, replaced by a refinement
        self._seed_points: list[Point] = []
        self._seed_is_background = False
        self.seed_preview = [self._path_item(QColor(0, 220, 90, 150)), self._path_item(QColor(230, 40, 40, 150))]

    def _path_item(self, colour: QColor) -> QGraphicsPathItem:
        item = QGraphicsPathItem()
        item.setZValue(9)
        item.setVisible(False)
        item.setData(0, colour)
        self.canvas.scene().addItem(item)
        return item

    # ---- mouse -------------------------------------------------------------------------------
    def press(self, event: ToolEvent) -> None:
        if event.ctrl:  # Ctrl: sure object, Ctrl+Shift: sure background
            self._seed_points = [event.point]
            self._seed_is_background = event.shift
        else:
            super().press(event)

    def move(self, event: ToolEvent) -> None:
        if self._seed_points:
            self._seed_points.append(event.point)
            self._draw_seed()
        else:
            super().move(event)

    def release(self, event: ToolEvent) -> None:
        if self._seed_points:
            self._end_seed()
        else:
            super().release(event)

    def cancel(self) -> None:
        super().cancel()
        self._seed_points = []

    @property
    def seeding(self) -> bool:
        return bool(self._seed_points)

    def reset(self) -> None:
        """Forget the box and seeds (new image or a new box)."""
        self.cancel()
        self.box = None
        self.foreground = self.background = None
        self._result_edit = None
        for item in self.seed_preview:
            item.setPath(QPainterPath())
            item.setVisible(False)

    def finish_box(self, start: Point, end: Point, erase: bool) -> None:
        self.reset()
        self.box = (start, end)
        self._run(0 if erase else self.canvas.class_value)

    def _end_seed(self) -> None:
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
        self._run(self.canvas.class_value)

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

    # ---- the cut -----------------------------------------------------------------------------
    def _run(self, value: int) -> None:
        document, image, box = self.canvas.document, self.canvas.image, self.box
        foreground = None if self.foreground is None else self.foreground.copy()
        background = None if self.background is None else self.background.copy()
        self.canvas.show_status("GrabCut running...")
        self.runner.submit(lambda: (document, value, grabcut(image, box, foreground, background)))

    def _apply(self, result) -> None:
        document, value, selection = result
        if document is self.canvas.document and selection is not None:
            if self._result_edit is not None and document.history.last is self._result_edit:
                document.undo()  # a refinement replaces the previous cut
            if document.paint(selection, value) is not None:
                self._result_edit = document.history.last
            self.canvas.notify_edited()
        self.canvas.show_status("")
        self.finished.emit()

    def _failed(self, message: str) -> None:
        self.canvas.show_status(f"GrabCut failed: {message}")
        self.finished.emit()

    @classmethod
    def draw_icon(cls, painter: QPainter, key: str = "") -> None:
        pen = QPen(painter.pen())
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.save()
        painter.setPen(pen)
        painter.drawRect(QRectF(3, 3, 18, 18))
        painter.restore()
        painter.setBrush(painter.pen().color())
        painter.drawEllipse(QPointF(12, 13), 5, 6)
