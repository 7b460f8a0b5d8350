"""The Scribble tool: drag over the object, Shift-drag over background, Ctrl-drag erases.

Strokes go to the editor's ScribbleAssist (``canvas.scribble_assist``), not to
the label: they teach the live assist, whose overlay updates as each stroke
ends. Ctrl+Z undoes scribble strokes while this tool is active.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from gui.annotation.tools.base import CanvasTool, ToolEvent


class ScribbleTool(CanvasTool):
    brush_cursor = True

    @property
    def assist(self):
        return getattr(self.canvas, "scribble_assist", None)

    def press(self, event: ToolEvent) -> None:
        if self.assist is None:
            self.canvas.show_status("The live assist is not available here")
            return
        self.assist.begin_stroke(event.point, background=event.shift, erase=event.ctrl)

    def move(self, event: ToolEvent) -> None:
        if self.assist is not None:
            self.assist.extend_stroke(event.point)

    def release(self, event: ToolEvent) -> None:
        if self.assist is not None:
            self.assist.end_stroke()

    def cancel(self) -> None:
        if self.assist is not None:
            self.assist.end_stroke()  # a stroke cut short by a tool switch still counts

    @classmethod
    def draw_icon(cls, painter: QPainter, key: str = "") -> None:
        """Two squiggles: green (object) over red (background)."""
        painter.save()
        for colour, y in ((QColor(40, 200, 90), 8.0), (QColor(230, 60, 60), 16.0)):
            pen = QPen(painter.pen())  # keeps the icon pen's round caps and joins
            pen.setColor(colour)
            pen.setWidthF(3.0)
            painter.setPen(pen)
            painter.setBrush(QBrush())
            points = [QPointF(3 + 3 * i, y + (2.5 if i % 2 else -2.5)) for i in range(7)]
            painter.drawPolyline(points)
        painter.restore()
