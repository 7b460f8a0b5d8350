"""One-click tools: flood fill of the label under the click, and the colour magic wand."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPainterPath

from core.annotation import flood_fill, magic_wand
from gui.annotation.tools.base import CanvasTool, ToolEvent


class FillTool(CanvasTool):
    """Paint bucket: the 4-connected area of the clicked label (Shift erases it)."""

    def press(self, event: ToolEvent) -> None:
        x, y = event.pixel
        self.canvas.paint_selection(flood_fill(self.canvas.document.mask, x, y), event.shift)

    @classmethod
    def draw_icon(cls, painter: QPainter, key: str = "") -> None:
        bucket = QPainterPath()
        bucket.moveTo(5, 10)
        bucket.lineTo(13, 3)
        bucket.lineTo(20, 10)
        bucket.lineTo(12, 18)
        bucket.closeSubpath()
        painter.drawPath(bucket)
        painter.setBrush(painter.pen().color())
        painter.drawEllipse(QRectF(17, 15, 4, 6))                  # the drop


class WandTool(CanvasTool):
    """Magic wand: pixels connected to the click whose colour is within the tolerance."""

    def press(self, event: ToolEvent) -> None:
        x, y = event.pixel
        self.canvas.paint_selection(magic_wand(self.canvas.image, x, y, self.canvas.wand_tolerance), event.shift)

    @classmethod
    def draw_icon(cls, painter: QPainter, key: str = "") -> None:
        painter.drawLine(QPointF(4, 20), QPointF(15, 9))
        for dx, dy in ((0, -5), (5, 0), (0, 5), (-5, 0), (3.5, -3.5), (-3.5, 3.5)):
            painter.drawLine(QPointF(18 + dx * 0.4, 6 + dy * 0.4), QPointF(18 + dx, 6 + dy))
