"""MaskCanvas: the image, the label and prediction overlays, and the mouse tools.

The active tool (gui/annotation/tools, one object per mode) turns left-button
events into calls on a core :class:`MaskDocument`; the document reports the
rectangle that changed and only that rectangle of the label layer is
recoloured and repainted. Left button uses the tool (Shift + left erases with
it), right or middle button pans, the wheel zooms under the cursor. The canvas
offers tools the ToolHost interface (gui/annotation/tools/base.py).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsScene, QGraphicsView

from core.annotation import MaskDocument
from gui.annotation.layers import BufferItem, LabelLayer, PredictionLayer, image_layer
from gui.annotation.tools import TOOLS, CanvasTool, ToolEvent, mode, table
from gui.annotation.tools.base import cosmetic_pen

ZOOM_STEP = 1.25
__all__ = ["MaskCanvas", "TOOLS"]


class MaskCanvas(QGraphicsView):
    """Signals: ``edited()`` after each completed edit, ``status(str)`` for hints.

    Hover information goes to the plain callback ``pixel_info(text)`` instead of a
    signal: it fires on every mouse move, and a Python ``emit`` per move is both
    slower and, in PySide6 6.12.0, leaks a reference to ``True`` each time.
    """

    edited = Signal()
    status = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)  # a handful of items
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        self.setBackgroundBrush(QBrush(QColor(30, 32, 36)))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setMouseTracking(True)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self.document: MaskDocument | None = None
        self.image: np.ndarray | None = None
        self.image_item: BufferItem | None = None
        self.label_layer: LabelLayer | None = None
        self.prediction_layer: PredictionLayer | None = None
        self.tool = "brush"
        self.brush_size = 25          # diameter in image pixels
        self.class_value = 1          # class painted by the tools
        self.wand_tolerance = 24
        self.label_opacity = 0.5
        self.prediction_opacity = 0.45
        self.show_label = True
        self.show_prediction = True
        self._fitted = True
        self._pan_from: QPointF | None = None
        self.pixel_info = None        # callable(str) told what is under the cursor
        self._hovered: tuple[int, int] | None = None
        self._make_previews()
        self.tools: dict[str, CanvasTool] = {row.name: row.tool(self) for row in table.TOOL_MODES}

    def _make_previews(self) -> None:
        """Brush cursor: two rings for contrast on any image (tools own their other previews)."""
        self.cursor_outer = QGraphicsEllipseItem()
        self.cursor_outer.setPen(cosmetic_pen(QColor(0, 0, 0), 3.0))
        self.cursor_inner = QGraphicsEllipseItem()
        self.cursor_inner.setPen(cosmetic_pen(QColor(255, 255, 255), 1.2))
        for z, item in enumerate((self.cursor_outer, self.cursor_inner)):
            item.setZValue(12 + z)
            item.setVisible(False)
            self.scene().addItem(item)

    # ---- content -------------------------------------------------------------------------
    def set_content(self, image: np.ndarray, document: MaskDocument, prediction: np.ndarray | None = None,
                    threshold: float = 0.5) -> None:
        """Show ``image`` with ``document``'s labels and an optional (H, W) probability map."""
        if self.document is not None:
            self.document.remove_listener(self._on_document_changed)
        for item in (self.image_item, self.label_layer, self.prediction_layer):
            if item is not None:
                self.scene().removeItem(item)
        same_size = self.image is not None and self.image.shape[:2] == image.shape[:2]
        self.image, self.document = image, document
        self.image_item = image_layer(image)
        self.label_layer = LabelLayer(document.mask, document.palette)
        self.prediction_layer = None if prediction is None else PredictionLayer(prediction, threshold)
        for z, item in enumerate((self.image_item, self.prediction_layer, self.label_layer)):
            if item is not None:
                item.setZValue(z)
                self.scene().addItem(item)
        self.scene().setSceneRect(QRectF(0, 0, image.shape[1], image.shape[0]))
        document.add_listener(self._on_document_changed)
        for tool in self.tools.values():
            (getattr(tool, "reset", None) or tool.cancel)()
        self._update_previews()
        self.apply_visibility()
        if not same_size or self._fitted:
            self.fit()

    def set_prediction(self, prediction: np.ndarray | None, threshold: float = 0.5) -> None:
        if self.prediction_layer is not None:
            self.scene().removeItem(self.prediction_layer)
        self.prediction_layer = None if prediction is None else PredictionLayer(prediction, threshold)
        if self.prediction_layer is not None:
            self.prediction_layer.setZValue(1)
            self.scene().addItem(self.prediction_layer)
        self.apply_visibility()

    def apply_visibility(self) -> None:
        if self.label_layer is not None:
            self.label_layer.setOpacity(self.label_opacity)
            self.label_layer.setVisible(self.show_label)
        if self.prediction_layer is not None:
            self.prediction_layer.setOpacity(self.prediction_opacity)
            self.prediction_layer.setVisible(self.show_prediction)

    def _on_document_changed(self, region) -> None:
        if self.label_layer is not None:
            self.label_layer.update_region(region)

    # ---- view ----------------------------------------------------------------------------
    def fit(self) -> None:
        if self.image is not None:
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
            self._fitted = True

    def zoom(self, factor: float) -> None:
        self.scale(factor, factor)
        self._fitted = False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit()

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom(ZOOM_STEP ** steps)

    # ---- tools ---------------------------------------------------------------------------
    @property
    def active_tool(self) -> CanvasTool:
        return self.tools[self.tool]

    @property
    def grabcut(self) -> CanvasTool:
        return self.tools["grabcut"]

    def set_tool(self, tool: str) -> None:
        mode(tool)  # raises ValueError naming the known tools
        self.cancel_tool()
        self.tool = tool
        self.viewport().setCursor(self.active_tool.cursor)
        self._update_previews()

    def set_brush_size(self, size: int) -> None:
        self.brush_size = int(max(1, min(1000, size)))
        self._update_previews()

    def _image_point(self, view_pos) -> tuple[float, float]:
        """Scene coordinates -> pixel-centre coordinates (pixel (0, 0) spans 0..1 in the scene)."""
        scene = self.mapToScene(view_pos.toPoint())
        return scene.x() - 0.5, scene.y() - 0.5

    def _tool_event(self, event, point=None) -> ToolEvent:
        modifiers = event.modifiers()
        return ToolEvent(point or self._image_point(event.position()), event.position(),
                         bool(modifiers & Qt.KeyboardModifier.ShiftModifier),
                         bool(modifiers & Qt.KeyboardModifier.ControlModifier))

    def dab(self, x: float, y: float, erase: bool = False) -> None:
        """One round dab at pixel (x, y): a complete one-step stroke (what a click paints)."""
        self.tools["eraser" if self.tool == "eraser" else "brush"].dab((x, y), erase)

    # ToolHost: what tools call back
    def paint_selection(self, selection, erase: bool) -> bool:
        """Paint ``selection`` with the current class (0 when erasing): one undo step."""
        if selection is None or self.document is None:
            return False
        if self.document.paint(selection, 0 if erase else self.class_value) is None:
            return False
        self.edited.emit()
        return True

    def notify_edited(self) -> None:
        self.edited.emit()

    def show_status(self, text: str) -> None:
        self.status.emit(text)

    def cancel_tool(self) -> None:
        """Drop a half-drawn polygon or box (Escape, tool switch)."""
        self.active_tool.cancel()

    # ---- mouse ---------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if self.document is None:
            return
        if event.button() in (Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.active_tool.press(self._tool_event(event))

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            return
        point = self._image_point(event.position())
        self._move_cursor(point)
        if self.document is None:
            return
        self.active_tool.move(self._tool_event(event, point))
        self._report_pixel(point)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None and event.button() != Qt.MouseButton.LeftButton:
            self._pan_from = None
            self.viewport().setCursor(self.active_tool.cursor)
            return
        if self.document is not None and event.button() == Qt.MouseButton.LeftButton:
            self.active_tool.release(self._tool_event(event))

    def mouseDoubleClickEvent(self, event) -> None:
        if self.document is not None and event.button() == Qt.MouseButton.LeftButton:
            self.active_tool.double_click(self._tool_event(event))
        else:
            self.mousePressEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancel_tool()
        elif self.document is None or not self.active_tool.key(event.key()):
            super().keyPressEvent(event)

    def leaveEvent(self, event) -> None:
        self.cursor_inner.setVisible(False)
        self.cursor_outer.setVisible(False)
        super().leaveEvent(event)

    # ---- previews ------------------------------------------------------------------------
    def _move_cursor(self, point) -> None:
        radius = self.brush_size / 2
        rect = QRectF(point[0] + 0.5 - radius, point[1] + 0.5 - radius, 2 * radius, 2 * radius)
        for ring in (self.cursor_outer, self.cursor_inner):
            ring.setRect(rect)
            ring.setVisible(self.active_tool.brush_cursor)

    def _update_previews(self) -> None:
        if self.cursor_inner.isVisible():
            centre = self.cursor_inner.rect().center()
            self._move_cursor((centre.x() - 0.5, centre.y() - 0.5))
        if not self.active_tool.brush_cursor:
            self.cursor_inner.setVisible(False)
            self.cursor_outer.setVisible(False)

    def _report_pixel(self, point) -> None:
        x, y = int(round(point[0])), int(round(point[1]))
        height, width = self.document.shape
        if (x, y) != self._hovered and 0 <= x < width and 0 <= y < height and self.pixel_info is not None:
            self._hovered = (x, y)
            self.pixel_info(f"x {x}, y {y}: {self.document.class_names[int(self.document.mask[y, x])]}")
