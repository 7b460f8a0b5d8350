"""numpy arrays <-> QImage, and small display helpers shared by the panels.

QImage (unlike QPixmap) may be built in a worker thread, so decoders return
QImage and the UI thread turns it into a pixmap.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def to_qimage(image: np.ndarray) -> QImage:
    """uint8 (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA -> a QImage owning a copy."""
    pixels = np.ascontiguousarray(image)
    if pixels.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {pixels.dtype}")
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = np.ascontiguousarray(pixels[:, :, 0])
    height, width = pixels.shape[:2]
    if pixels.ndim == 2:
        fmt = QImage.Format.Format_Grayscale8
    elif pixels.shape[2] == 3:
        fmt = QImage.Format.Format_RGB888
    elif pixels.shape[2] == 4:
        fmt = QImage.Format.Format_RGBA8888
    else:
        raise ValueError(f"cannot show an image of shape {pixels.shape}")
    return QImage(pixels.data, width, height, pixels.strides[0], fmt).copy()


def thumbnail(image: np.ndarray, size: int) -> np.ndarray:
    """Fit ``image`` in a ``size`` x ``size`` box, keeping its aspect ratio.

    Small images (MNIST's 28 px) are enlarged with nearest neighbour so digits
    stay crisp; large ones are shrunk with area averaging.
    """
    import cv2

    height, width = image.shape[:2]
    scale = size / max(height, width)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interpolation = cv2.INTER_NEAREST if scale >= 1 else cv2.INTER_AREA
    return cv2.resize(np.ascontiguousarray(image), new_size, interpolation=interpolation)


def pixel_text(image: np.ndarray, x: int, y: int) -> str:
    """'x, y: value' for the status bar; empty when outside the image."""
    height, width = image.shape[:2]
    if not (0 <= x < width and 0 <= y < height):
        return ""
    value = image[y, x]
    if np.ndim(value) == 0:
        shown = str(int(value))
    else:
        shown = "(" + ", ".join(str(int(v)) for v in np.ravel(value)) + ")"
    return f"x {x}, y {y}: {shown}"
