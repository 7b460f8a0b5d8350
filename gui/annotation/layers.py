"""Canvas layers backed by persistent numpy buffers, repainted one rectangle at a time.

Each layer owns a premultiplied BGRA numpy buffer that a QImage wraps without
copying. A brush dab rewrites only the dab's box in the buffer and asks the
scene to repaint that box; ``paint`` draws only the exposed part, so the cost
of a dab does not grow with the image (8000x8000 stays interactive).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

from core.annotation.history import Region
from core.annotation.palette import overlay_lut

FORMAT = QImage.Format.Format_ARGB32_Premultiplied  # the raster engine's native format: no conversion


def to_bgra(rgba_lut: np.ndarray) -> np.ndarray:
    """RGBA rows -> the BGRA byte order of ARGB32 on little-endian machines."""
    return np.ascontiguousarray(rgba_lut[..., [2, 1, 0, 3]])


class BufferItem(QGraphicsItem):
    """A graphics item showing a (H, W, 4) BGRA buffer; paints exposed rectangles only."""

    def __init__(self, buffer: np.ndarray):
        super().__init__()
        self.buffer = buffer
        height, width = buffer.shape[:2]
        self.image = QImage(buffer.data, width, height, buffer.strides[0], FORMAT)  # shares the buffer
        self._bounds = QRectF(0, 0, width, height)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.paint_count = 0  # how many times Qt painted this layer (benchmarks and tests read it)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        exposed = option.exposedRect.intersected(self._bounds)
        if exposed.isEmpty():
            return
        source = exposed.toAlignedRect()
        painter.drawImage(QRectF(source), self.image, QRectF(source))
        self.paint_count += 1

    def refresh(self, region: Region | None = None) -> None:
        """Schedule a repaint of ``region`` (or everything) after the buffer changed."""
        if region is None:
            self.update()
        else:
            self.update(QRectF(region.left, region.top, region.right - region.left, region.bottom - region.top))


def image_layer(image: np.ndarray) -> BufferItem:
    """The photo as an opaque BGRA layer (grey or RGB uint8 input)."""
    height, width = image.shape[:2]
    buffer = np.empty((height, width, 4), np.uint8)
    if image.ndim == 2:
        buffer[..., :3] = image[..., None]
    else:
        buffer[..., :3] = image[..., 2::-1][..., :3] if image.shape[2] >= 3 else image[..., :1]
    buffer[..., 3] = 255
    return BufferItem(buffer)


class LabelLayer(BufferItem):
    """Class colours of a label mask; ``update_region`` recolours only a changed box."""

    def __init__(self, mask: np.ndarray, palette: np.ndarray):
        super().__init__(np.zeros(mask.shape + (4,), np.uint8))
        self.mask = mask
        self.lut = to_bgra(overlay_lut(palette))
        self.update_region(None)

    def update_region(self, region: Region | None) -> None:
        """Recolour ``region`` (None: the whole mask) from the mask and repaint it."""
        if region is None:
            np.take(self.lut, self.mask, axis=0, out=self.buffer)
        else:
            box = region.slices
            self.buffer[box] = self.lut[self.mask[box]]
        self.refresh(region)


class PredictionLayer(BufferItem):
    """Model output shown as a colour where probability >= threshold."""

    COLOUR_RGB = (204, 51, 204)

    def __init__(self, probabilities: np.ndarray, threshold: float = 0.5):
        super().__init__(np.zeros(probabilities.shape[-2:] + (4,), np.uint8))
        self.probabilities = probabilities
        self.set_threshold(threshold)

    def predicted_mask(self) -> np.ndarray:
        from core.annotation.tools import mask_from_prediction

        return mask_from_prediction(self.probabilities, self.threshold)

    def set_threshold(self, threshold: float) -> None:
        self.threshold = float(threshold)
        lut = np.zeros((256, 4), np.uint8)
        lut[1:, :] = (*self.COLOUR_RGB[::-1], 255)
        np.take(lut, self.predicted_mask(), axis=0, out=self.buffer)
        self.refresh(None)
