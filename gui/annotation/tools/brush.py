"""Brush and eraser: a round brush whose whole drag is one undo step (Shift-drag erases)."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QBrush, QPainter

from gui.annotation.tools.base import CanvasTool, Point, ToolEvent


class BrushTool(CanvasTool):
    brush_cursor = True
    erases = False

    def dab(self, point: Point, erase: bool = False) -> None:
        """A complete one-point stroke (what a click paints)."""
        self._begin(point, erase)
        self._end()

    def press(self, event: ToolEvent) -> None:
        self._begin(event.point, event.shift)

    def move(self, event: ToolEvent) -> None:
        document = self.canvas.document
        if document is not None and document.stroke_active:
            document.extend_stroke(event.point)

    def release(self, event: ToolEvent) -> None:
        self._end()

    def cancel(self) -> None:
        self._end()  # a stroke cut short by a tool switch still counts as drawn

    def _begin(self, point: Point, erase: bool) -> None:
        document = self.canvas.document
        value = 0 if erase or self.erases else self.canvas.class_value
        document.begin_stroke(value, self.canvas.brush_size / 2)
        document.extend_stroke(point)

    def _end(self) -> None:
        document = self.canvas.document
        if document is not None and document.stroke_active and document.end_stroke() is not None:
            self.canvas.notify_edited()

    @classmethod
    def draw_icon(cls, painter: QPainter, key: str = "") -> None:
        painter.save()
        painter.translate(12, 12)
        painter.rotate(45)
        painter.drawRoundedRect(-2.5, -11, 5, 12, 1.5, 1.5)          # handle
        painter.setBrush(QBrush(painter.pen().color()))
        painter.drawEllipse(QPointF(0, 6), 3.5, 4.5)                # bristles
        painter.restore()


class EraserTool(BrushTool):
    erases = True

    @classmethod
    def draw_icon(cls, painter: QPainter, key: str = "") -> None:
        painter.save()
        painter.translate(12, 13)
        painter.rotate(-35)
        painter.drawRoundedRect(-9, -5, 18, 10, 2, 2)
        painter.setBrush(QBrush(painter.pen().color()))
        painter.drawRoundedRect(-9, -5, 7, 10, 2, 2)
        painter.restore()
        painter.drawLine(QPointF(4, 21), QPointF(21, 21))
