"""Decoding image files into the uint8 arrays every dataset returns."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from core.errors import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif")


def is_image_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def decode_file(path: str | Path) -> np.ndarray:
    """The raw decoded array of ``path`` (OpenCV channel order), or a DataError."""
    try:
        with open(path, "rb") as handle:  # cv2.imread fails silently on non-ASCII paths
            data = np.frombuffer(handle.read(), dtype=np.uint8)
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    except OSError as error:
        raise DataError(path, f"cannot read file ({error.strerror or error})") from None
    if data.size == 0:
        raise DataError(path, "file is empty")
    decoded = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if decoded is None or decoded.size == 0:
        raise DataError(path, "cannot decode image (corrupt or unsupported format)")
    return decoded


def to_uint8(array: np.ndarray, path: str | Path) -> np.ndarray:
    """8-bit view of a decoded image: 16-bit keeps its top byte, floats are clipped."""
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.uint16:
        return (array >> 8).astype(np.uint8)
    if np.issubdtype(array.dtype, np.floating):
        scale = 255.0 if float(np.nanmax(array)) <= 1.0 else 1.0
        return np.clip(np.nan_to_num(array) * scale, 0, 255).astype(np.uint8)
    raise DataError(path, f"unsupported pixel type {array.dtype}")


def read_image(path: str | Path) -> np.ndarray:
    """uint8 (H, W) grey or (H, W, 3) RGB; alpha is dropped."""
    image = to_uint8(decode_file(path), path)
    if image.ndim == 3 and image.shape[2] == 1:
        return np.ascontiguousarray(image[:, :, 0])
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    if image.ndim == 2:
        return image
    raise DataError(path, f"unsupported image layout {image.shape}")
