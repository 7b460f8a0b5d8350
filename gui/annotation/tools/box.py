"""Box-drag tools: the rectangle fill, and the shared drag-a-box behaviour GrabCut builds on."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsRectItem

from core.annotation import rectangle
from gui.annotation.tools.base import CanvasTool, Point, ToolEvent, cosmetic_pen


class BoxTool(CanvasTool):
    """Drag a box (dashed preview); ``finish_box(start, end, erase)`` gets it on release."""

    def __init__(self, canvas):
        super().__init__(canvas)
        self.start: Point | None = None
        self._erase = False
        self.box_preview = QGraphicsRectItem()
        self.box_preview.setPen(cosmetic_pen(QColor(255, 255, 0), 1.5, dashed=True))
        self.box_preview.setZValue(11)
        self.box_preview.setVisible(False)
        canvas.scene().addItem(self.box_preview)

    def press(self, event: ToolEvent) -> None:
        self.start, self._erase = event.point, event.shift
        self._draw(event.point)

    def move(self, event: ToolEvent) -> None:
        if self.start is not None:
            self._draw(event.point)

    def release(self, event: ToolEvent) -> None:
        if self.start is None:
            return
        start, self.start = self.start, None
        self.box_preview.setVisible(False)
        end = event.point
        if abs(end[0] - start[0]) >= 2 or abs(end[1] - start[1]) >= 2:  # a drag, not a click
            self.finish_box(start, end, self._erase)

    def cancel(self) -> None:
        self.start = None
        self.box_preview.setVisible(False)

    def finish_box(self, start: Point, end: Point, erase: bool) -> None:
        raise NotImplementedError

    def _draw(self, point: Point) -> None:
        start = self.start
        self.box_preview.setRect(QRectF(QPointF(start[0] + 0.5, start[1] + 0.5),
                                        QPointF(point[0] + 0.5, point[1] + 0.5)).normalized())
        self.box_preview.setVisible(True)


class RectangleTool(BoxTool):
    """Fill the dragged box with the class (Shift erases it)."""

    def finish_box(self, start: Point, end: Point, erase: bool) -> None:
        self.canvas.paint_selection(rectangle(self.canvas.document.shape, start, end), erase)

    @classmethod
    def draw_icon(cls, painter: QPainter, key: str = "") -> None:
        painter.drawRect(QRectF(4, 6, 16, 12))
