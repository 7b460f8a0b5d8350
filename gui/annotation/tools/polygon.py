"""Polygon: click vertices; double-click, Enter or a click on the first vertex fills it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem

from core.annotation import polygon
from gui.annotation.tools.base import CanvasTool, Point, ToolEvent, cosmetic_pen

CLOSE_POLYGON_PIXELS = 8  # a click this close (on screen) to the first vertex closes the polygon


class PolygonTool(CanvasTool):
    def __init__(self, canvas):
        super().__init__(canvas)
        self.points: list[Point] = []
        self._erase = False
        self.preview = QGraphicsPathItem()
        self.preview.setPen(cosmetic_pen(QColor(255, 255, 0), 1.5))
        self.preview.setZValue(10)
        self.preview.setVisible(False)
        canvas.scene().addItem(self.preview)

    def press(self, event: ToolEvent) -> None:
        self._erase = event.shift  # Shift on the last click erases with the polygon
        if len(self.points) >= 3 and self._near_first(event.view_pos):
            self.finish()
            return
        self.points.append(event.point)
        self._draw(event.point)

    def move(self, event: ToolEvent) -> None:
        if self.points:
            self._draw(event.point)

    def double_click(self, event: ToolEvent) -> None:
        self.finish()

    def key(self, key: int) -> bool:
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.points:
            self.finish()
        elif key == Qt.Key.Key_Backspace and self.points:
            self.points.pop()
            self._draw(None)
        else:
            return False
        return True

    def cancel(self) -> None:
        self.points.clear()
        self._draw(None)

    def finish(self) -> None:
        """Close and fill the polygon drawn so far."""
        points, self.points = self.points, []
        self._draw(None)
        if len(points) >= 3:
            self.canvas.paint_selection(polygon(self.canvas.document.shape, points), self._erase)

    def _near_first(self, view_pos) -> bool:
        first = self.canvas.mapFromScene(QPointF(self.points[0][0] + 0.5, self.points[0][1] + 0.5))
        return abs(first.x() - view_pos.x()) + abs(first.y() - view_pos.y()) <= CLOSE_POLYGON_PIXELS

    def _draw(self, hover: Point | None) -> None:
        points = self.points + ([hover] if hover is not None and self.points else [])
        path = QPainterPath()
        for index, (x, y) in enumerate(points):
            (path.lineTo if index else path.moveTo)(x + 0.5, y + 0.5)
        self.preview.setPath(path)
        self.preview.setVisible(bool(points))

    @classmethod
    def draw_icon(cls, painter: QPainter, key: str = "") -> None:
        corners = [QPointF(4, 18), QPointF(9, 4), QPointF(20, 8), QPointF(17, 20)]
        path = QPainterPath(corners[0])
        for corner in corners[1:]:
            path.lineTo(corner)
        path.closeSubpath()
        painter.drawPath(path)
        painter.setBrush(painter.pen().color())
        for corner in corners:
            painter.drawEllipse(corner, 2, 2)
