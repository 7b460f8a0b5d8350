"""MaskCanvas: the image, the label and prediction overlays, and the mouse tools.

Mouse events become calls on a core :class:`MaskDocument`; the document
reports the rectangle that changed and only that rectangle of the label layer
is recoloured and repainted. Left button uses the tool (Shift + left erases
with it), right or middle button pans, the wheel zooms under the cursor.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsPathItem, QGraphicsRectItem,
                               QGraphicsScene, QGraphicsView)

from core.annotation import MaskDocument, flood_fill, magic_wand, polygon, rectangle
from gui.annotation.grabcut_tool import GrabCutTool
from gui.annotation.layers import BufferItem, LabelLayer, PredictionLayer, image_layer

TOOLS = ("brush", "eraser", "polygon", "fill", "wand", "grabcut", "rectangle")
ZOOM_STEP = 1.25
CLOSE_POLYGON_PIXELS = 8  # a click this close (on screen) to the first vertex closes the polygon


def _cosmetic_pen(colour: QColor, width: float = 1.5, dashed: bool = False) -> QPen:
    pen = QPen(colour, width)
    pen.setCosmetic(True)  # same on-screen width at every zoom
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


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
        self._drag_start: QPointF | None = None
        self._erasing = False
        self._polygon_points: list[tuple[float, float]] = []
        self.pixel_info = None        # callable(str) told what is under the cursor
        self._hovered: tuple[int, int] | None = None
        self._make_previews()
        self.grabcut = GrabCutTool(self)

    def _make_previews(self) -> None:
        """Brush cursor (two rings for contrast on any image), polygon and box previews."""
        self.cursor_outer = QGraphicsEllipseItem()
        self.cursor_outer.setPen(_cosmetic_pen(QColor(0, 0, 0), 3.0))
        self.cursor_inner = QGraphicsEllipseItem()
        self.cursor_inner.setPen(_cosmetic_pen(QColor(255, 255, 255), 1.2))
        self.polygon_preview = QGraphicsPathItem()
        self.polygon_preview.setPen(_cosmetic_pen(QColor(255, 255, 0), 1.5))
        self.box_preview = QGraphicsRectItem()
        self.box_preview.setPen(_cosmetic_pen(QColor(255, 255, 0), 1.5, dashed=True))
        for z, item in enumerate((self.polygon_preview, self.box_preview, self.cursor_outer, self.cursor_inner)):
            item.setZValue(10 + z)
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
        self.grabcut.reset()
        self._polygon_points.clear()
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
    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool!r}; tools are {', '.join(TOOLS)}")
        self.cancel_tool()
        self.tool = tool
        self._update_previews()

    def set_brush_size(self, size: int) -> None:
        self.brush_size = int(max(1, min(1000, size)))
        self._update_previews()

    def _image_point(self, view_pos) -> tuple[float, float]:
        """Scene coordinates -> pixel-centre coordinates (pixel (0, 0) spans 0..1 in the scene)."""
        scene = self.mapToScene(view_pos.toPoint())
        return scene.x() - 0.5, scene.y() - 0.5

    def dab(self, x: float, y: float, erase: bool = False) -> None:
        """One round dab at pixel (x, y): a complete one-step stroke (what a click paints)."""
        self._begin_stroke((x, y), erase)
        self._end_stroke()

    def _begin_stroke(self, point, erase: bool) -> None:
        value = 0 if erase or self.tool == "eraser" else self.class_value
        self.document.begin_stroke(value, self.brush_size / 2)
        self.document.extend_stroke(point)

    def _end_stroke(self) -> None:
        if self.document.end_stroke() is not None:
            self.edited.emit()

    def _paint_selection(self, selection) -> None:
        value = 0 if self._erasing else self.class_value
        if self.document.paint(selection, value) is not None:
            self.edited.emit()

    def cancel_tool(self) -> None:
        """Drop a half-drawn polygon or box (Escape)."""
        self._polygon_points.clear()
        self._drag_start = None
        self.box_preview.setVisible(False)
        self._update_polygon_preview(None)

    def finish_polygon(self) -> None:
        """Close and fill the polygon drawn so far (Enter or double-click)."""
        points, self._polygon_points = self._polygon_points, []
        self._update_polygon_preview(None)
        if len(points) >= 3:
            self._paint_selection(polygon(self.document.shape, points))

    # ---- mouse ---------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if self.document is None:
            return
        if event.button() in (Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = self._image_point(event.position())
        self._erasing = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        x, y = int(round(point[0])), int(round(point[1]))
        if self.tool in ("brush", "eraser"):
            self._begin_stroke(point, self._erasing)
        elif self.tool == "grabcut" and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.grabcut.begin_seed(point, background=self._erasing)  # Ctrl: object, Ctrl+Shift: background
        elif self.tool in ("grabcut", "rectangle"):
            self._drag_start = QPointF(*point)
            self._update_box_preview(point)
        elif self.tool == "polygon":
            self._add_polygon_point(point, event.position())
        elif self.tool == "fill":
            self._paint_selection(flood_fill(self.document.mask, x, y))
        elif self.tool == "wand":
            self._paint_selection(magic_wand(self.image, x, y, self.wand_tolerance))

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
        if self.document.stroke_active:
            self.document.extend_stroke(point)
        elif self.grabcut.seeding:
            self.grabcut.extend_seed(point)
        elif self._drag_start is not None:
            self._update_box_preview(point)
        elif self._polygon_points:
            self._update_polygon_preview(point)
        self._report_pixel(point)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None and event.button() != Qt.MouseButton.LeftButton:
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.CrossCursor)
            return
        if self.document is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if self.document.stroke_active:
            self._end_stroke()
        elif self.grabcut.seeding:
            self.grabcut.end_seed(self.class_value)
        elif self._drag_start is not None:
            start, self._drag_start = self._drag_start, None
            self.box_preview.setVisible(False)
            end = self._image_point(event.position())
            self._finish_box((start.x(), start.y()), end)

    def mouseDoubleClickEvent(self, event) -> None:
        if self.tool == "polygon" and event.button() == Qt.MouseButton.LeftButton:
            self.finish_polygon()
        else:
            self.mousePressEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._polygon_points:
            self.finish_polygon()
        elif event.key() == Qt.Key.Key_Escape:
            self.cancel_tool()
        elif event.key() == Qt.Key.Key_Backspace and self._polygon_points:
            self._polygon_points.pop()
            self._update_polygon_preview(None)
        else:
            super().keyPressEvent(event)

    def leaveEvent(self, event) -> None:
        self.cursor_inner.setVisible(False)
        self.cursor_outer.setVisible(False)
        super().leaveEvent(event)

    def _finish_box(self, start, end) -> None:
        if abs(end[0] - start[0]) < 2 and abs(end[1] - start[1]) < 2:
            return  # a click, not a drag
        if self.tool == "rectangle":
            self._paint_selection(rectangle(self.document.shape, start, end))
        else:
            self.grabcut.start_box(start, end, 0 if self._erasing else self.class_value)

    def _add_polygon_point(self, point, view_pos) -> None:
        if len(self._polygon_points) >= 3:
            first = self.mapFromScene(QPointF(self._polygon_points[0][0] + 0.5, self._polygon_points[0][1] + 0.5))
            if (abs(first.x() - view_pos.x()) + abs(first.y() - view_pos.y())) <= CLOSE_POLYGON_PIXELS:
                self.finish_polygon()
                return
        self._polygon_points.append(point)
        self._update_polygon_preview(point)

    # ---- previews ------------------------------------------------------------------------
    def _move_cursor(self, point) -> None:
        radius = self.brush_size / 2
        rect = QRectF(point[0] + 0.5 - radius, point[1] + 0.5 - radius, 2 * radius, 2 * radius)
        for ring in (self.cursor_outer, self.cursor_inner):
            ring.setRect(rect)
            ring.setVisible(self.tool in ("brush", "eraser"))

    def _update_previews(self) -> None:
        if self.cursor_inner.isVisible():
            centre = self.cursor_inner.rect().center()
            self._move_cursor((centre.x() - 0.5, centre.y() - 0.5))
        if self.tool not in ("brush", "eraser"):
            self.cursor_inner.setVisible(False)
            self.cursor_outer.setVisible(False)

    def _update_box_preview(self, point) -> None:
        start = self._drag_start
        self.box_preview.setRect(QRectF(QPointF(start.x() + 0.5, start.y() + 0.5),
                                        QPointF(point[0] + 0.5, point[1] + 0.5)).normalized())
        self.box_preview.setVisible(True)

    def _update_polygon_preview(self, hover) -> None:
        points = list(self._polygon_points) + ([hover] if hover is not None and self._polygon_points else [])
        path = QPainterPath()
        for index, (x, y) in enumerate(points):
            if index == 0:
                path.moveTo(x + 0.5, y + 0.5)
            else:
                path.lineTo(x + 0.5, y + 0.5)
        self.polygon_preview.setPath(path)
        self.polygon_preview.setVisible(bool(points))

    def _report_pixel(self, point) -> None:
        x, y = int(round(point[0])), int(round(point[1]))
        height, width = self.document.shape
        if (x, y) != self._hovered and 0 <= x < width and 0 <= y < height and self.pixel_info is not None:
            self._hovered = (x, y)
            self.pixel_info(f"x {x}, y {y}: {self.document.class_names[int(self.document.mask[y, x])]}")
