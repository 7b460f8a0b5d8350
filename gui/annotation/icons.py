"""Tool bar icons drawn with QPainter on a 24x24 grid: no image files to ship or keep in sync.

Tools draw their own icon (``CanvasTool.draw_icon``); the editor's commands
are drawn here. Icons are drawn at twice the size so they stay sharp on
high-DPI screens, in one dark grey that reads on the light and checked
(orange-tinted) tool button backgrounds of resources/style.qss.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

INK = QColor(55, 60, 68)
SIZE = 24


def painted_icon(draw: Callable[[QPainter], None], colour: QColor = INK) -> QIcon:
    pixmap = QPixmap(SIZE * 2, SIZE * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour, 1.8)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    draw(painter)
    painter.end()
    return QIcon(pixmap)


def _arrow(painter: QPainter, mirrored: bool) -> None:
    if mirrored:
        painter.translate(SIZE, 0)
        painter.scale(-1, 1)
    path = QPainterPath(QPointF(19, 18))
    path.cubicTo(19, 8, 12, 7, 6, 10)
    painter.drawPath(path)
    painter.drawLine(QPointF(6, 10), QPointF(10, 5))
    painter.drawLine(QPointF(6, 10), QPointF(11, 13))


def _accept(painter: QPainter) -> None:
    painter.drawRoundedRect(QRectF(3, 3, 18, 18), 3, 3)
    painter.drawPolyline([QPointF(7, 12), QPointF(10.5, 16), QPointF(17, 8)])


def _keep_largest(painter: QPainter) -> None:
    painter.setBrush(painter.pen().color())
    painter.drawEllipse(QRectF(3, 6, 12, 12))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QRectF(16, 4, 5, 5))
    painter.drawLine(QPointF(15, 3), QPointF(22, 10))


def _fill_holes(painter: QPainter) -> None:
    painter.setBrush(painter.pen().color())
    painter.drawEllipse(QRectF(3, 3, 18, 18))
    painter.setPen(QPen(QColor(255, 255, 255), 1.4, Qt.PenStyle.DotLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QRectF(9, 9, 6, 6))


def _save(painter: QPainter) -> None:
    painter.drawRoundedRect(QRectF(4, 4, 16, 16), 2, 2)
    painter.drawRect(QRectF(8, 4, 8, 5))
    painter.drawRect(QRectF(7, 13, 10, 7))


def _train(painter: QPainter) -> None:
    path = QPainterPath(QPointF(3, 18))
    for x, y in ((7, 12), (11, 14), (15, 7), (21, 4)):
        path.lineTo(x, y)
    painter.drawPath(path)
    painter.drawPolyline([QPointF(17, 4), QPointF(21, 4), QPointF(21, 8)])


COMMAND_ICONS: dict[str, Callable[[QPainter], None]] = {
    "undo": lambda p: _arrow(p, False),
    "redo": lambda p: _arrow(p, True),
    "accept_prediction": _accept,
    "keep_largest": _keep_largest,
    "fill_holes": _fill_holes,
    "save": _save,
    "train": _train,
}


def command_icon(name: str) -> QIcon:
    return painted_icon(COMMAND_ICONS[name])
