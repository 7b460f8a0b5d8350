"""ImageView: a QGraphicsView that shows one image and one overlay.

Wheel zooms around the cursor, dragging pans, ``fit()`` fits the window
(and stays fitted when the window resizes), ``actual_size()`` shows 1:1.
Pixels stay sharp when enlarged, which matters for 28 px digits.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView

from gui.images import pixel_text, to_qimage

ZOOM_STEP = 1.25
MIN_SCALE, MAX_SCALE = 0.02, 64.0


class ImageView(QGraphicsView):
    """Signals: ``pixel_hovered(text)`` for the status bar, ``zoom_changed(scale)``."""

    pixel_hovered = Signal(str)
    zoom_changed = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.image_item = QGraphicsPixmapItem()
        self.overlay_item = QGraphicsPixmapItem()
        self.overlay_item.setOpacity(0.5)
        self.scene().addItem(self.image_item)
        self.scene().addItem(self.overlay_item)
        self.image: np.ndarray | None = None
        self._fitted = True
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        self.setBackgroundBrush(QBrush(QColor(30, 32, 36)))
        self.setMouseTracking(True)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)

    def set_image(self, image: np.ndarray | None, qimage: QImage | None = None) -> None:
        """Show ``image`` (uint8 grey or RGB); keeps the zoom if the size did not change.

        ``qimage``: the same pixels already converted (in a worker), saving the UI thread a copy.
        """
        same_size = (self.image is not None and image is not None
                     and self.image.shape[:2] == image.shape[:2])
        self.image = image
        self.image_item.setOpacity(1.0)
        self.overlay_item.setPixmap(QPixmap())
        if image is None:
            self.image_item.setPixmap(QPixmap())
            return
        self.image_item.setPixmap(QPixmap.fromImage(qimage if qimage is not None
                                                    else to_qimage(image)))
        height, width = image.shape[:2]
        self.scene().setSceneRect(QRectF(0, 0, width, height))
        if not same_size or self._fitted:
            self.fit()

    def set_overlay(self, overlay: np.ndarray | None) -> None:
        """RGBA uint8 (H, W, 4) at the image's size, or None to clear."""
        if overlay is None or self.image is None or overlay.shape[:2] != self.image.shape[:2]:
            self.overlay_item.setPixmap(QPixmap())
        else:
            self.overlay_item.setPixmap(QPixmap.fromImage(to_qimage(overlay)))

    def set_overlay_opacity(self, opacity: float) -> None:
        if not 0.0 <= opacity <= 1.0:
            raise ValueError(f"opacity must be between 0 and 1; got {opacity}")
        self.overlay_item.setOpacity(opacity)

    @property
    def scale_factor(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        if self.image is not None:
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
            self._fitted = True
            self.zoom_changed.emit(self.scale_factor)

    def actual_size(self) -> None:
        self.resetTransform()
        self._fitted = False
        self.zoom_changed.emit(1.0)

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_SCALE, max(MIN_SCALE, self.scale_factor * factor))
        self.scale(target / self.scale_factor, target / self.scale_factor)
        self._fitted = False
        self.zoom_changed.emit(self.scale_factor)

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(ZOOM_STEP ** steps)
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit()

    def mouseMoveEvent(self, event) -> None:
        super().mouseMoveEvent(event)
        if self.image is not None:
            point: QPointF = self.mapToScene(event.position().toPoint())
            self.pixel_hovered.emit(pixel_text(self.image, int(np.floor(point.x())),
                                               int(np.floor(point.y()))))

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        self.pixel_hovered.emit("")
