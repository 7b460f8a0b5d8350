"""The contract between the canvas and its tools: what a tool is given and what it may call.

A tool turns mouse events (already mapped to image pixels) into calls on the
canvas's :class:`~core.annotation.MaskDocument`. The canvas owns the view
(pan, zoom, the brush-ring cursor, pixel read-out); the active tool owns what
the left button does. Tools tell the canvas about edits and hints through the
small :class:`ToolHost` interface, never by emitting the canvas's signals.
Adding a tool: one module with a :class:`CanvasTool` subclass plus one row in
``gui/annotation/tools/table.py`` (see docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from core.annotation import MaskDocument, Selection

Point = tuple[float, float]


@dataclass(frozen=True)
class ToolEvent:
    """A mouse event in image coordinates: ``point`` is (x, y) with pixel (0, 0) centred at 0."""

    point: Point
    view_pos: QPointF
    shift: bool = False
    ctrl: bool = False

    @property
    def pixel(self) -> tuple[int, int]:
        return int(round(self.point[0])), int(round(self.point[1]))


class ToolHost(Protocol):
    """What the canvas offers a tool (MaskCanvas implements it)."""

    document: MaskDocument | None
    image: np.ndarray | None
    class_value: int
    brush_size: int
    wand_tolerance: int

    def scene(self): ...                                    # the QGraphicsScene, for previews
    def mapFromScene(self, point): ...                      # scene -> view pixels (closing distances)
    def paint_selection(self, selection: Selection | None, erase: bool) -> bool: ...
    def notify_edited(self) -> None: ...                    # after an edit the tool made itself
    def show_status(self, text: str) -> None: ...           # a hint or progress line ("" clears it)


class Tool(Protocol):
    """press / move / release / cancel, plus optional hooks with defaults in CanvasTool."""

    brush_cursor: bool                                      # show the brush-size rings
    cursor: Qt.CursorShape

    def press(self, event: ToolEvent) -> None: ...          # left button down
    def move(self, event: ToolEvent) -> None: ...           # every mouse move, button down or not
    def release(self, event: ToolEvent) -> None: ...        # left button up
    def cancel(self) -> None: ...                           # Escape, tool switch, new image
    def double_click(self, event: ToolEvent) -> None: ...
    def key(self, key: int) -> bool: ...                    # True when the key was used
    @classmethod
    def draw_icon(cls, painter: QPainter, key: str = "") -> None: ...     # on a 24x24 canvas


class CanvasTool:
    """Base class with do-nothing hooks: a tool overrides only what it uses."""

    brush_cursor = False
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, canvas: ToolHost):
        self.canvas = canvas

    def press(self, event: ToolEvent) -> None:
        pass

    def move(self, event: ToolEvent) -> None:
        pass

    def release(self, event: ToolEvent) -> None:
        pass

    def cancel(self) -> None:
        pass

    def double_click(self, event: ToolEvent) -> None:
        self.press(event)

    def key(self, key: int) -> bool:
        return False

    @classmethod
    def draw_icon(cls, painter: QPainter, key: str = "") -> None:
        font = QFont(painter.font())
        font.setBold(True)
        font.setPixelSize(15)
        painter.setFont(font)
        painter.drawText(QRectF(0, 0, 24, 24), Qt.AlignmentFlag.AlignCenter, key or "?")  # until it draws its own


def cosmetic_pen(colour: QColor, width: float = 1.5, dashed: bool = False) -> QPen:
    """A pen of the same on-screen width at every zoom (previews)."""
    pen = QPen(colour, width)
    pen.setCosmetic(True)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen
