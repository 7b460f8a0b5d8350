"""Mask files: read PNG (0/255 or class ids) and GIF, write single-channel PNG atomically.

In memory a mask is uint8 (H, W): 0 background, 1..K objects (binary masks use
0/1). On disk a binary mask is written 0/255 so it is visible in any viewer;
class-id masks are written as they are.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from core.atomic import atomic_write_bytes
from core.data.images import decode_file, to_uint8
from core.errors import DataError


def read_mask(path: str | Path) -> np.ndarray:
    """uint8 (H, W) mask; a 0/255 file becomes 0/1, class ids stay as they are.

    Colour files (GIF palettes, RGB PNGs) count any non-black pixel as object
    unless all channels agree, in which case the grey value is used.
    """
    array = decode_file(path)
    if array.dtype == np.uint16 and int(array.max()) < 256:
        array = array.astype(np.uint8)
    array = to_uint8(array, path)
    if array.ndim == 3:
        array = _single_channel(array)
    if Path(path).suffix.lower() in (".jpg", ".jpeg"):  # lossy: edges are no longer 0/255
        return (array > 127).astype(np.uint8)
    return normalise_mask(np.ascontiguousarray(array))


def _single_channel(array: np.ndarray) -> np.ndarray:
    """Grey value when all colour channels agree, else non-black = object; an alpha-only
    mask (transparent background, uniform colour) uses its alpha channel."""
    colour = array[:, :, :3]
    if array.shape[2] < 3:
        return array[:, :, 0]
    if np.array_equal(colour[:, :, 0], colour[:, :, 1]) and np.array_equal(colour[:, :, 0], colour[:, :, 2]):
        grey = colour[:, :, 0]
        if array.shape[2] == 4 and grey.min() == grey.max() and array[:, :, 3].min() != array[:, :, 3].max():
            return array[:, :, 3]
        return grey
    return colour.any(axis=2).astype(np.uint8)


def normalise_mask(mask: np.ndarray) -> np.ndarray:
    """0/255 -> 0/1; anything else (class ids, 0/1) unchanged."""
    if mask.size and mask.max() == 255:
        objects = mask == 255
        if np.count_nonzero(objects) + np.count_nonzero(mask == 0) == mask.size:
            return objects.astype(np.uint8)
    return mask.astype(np.uint8, copy=False)


def encode_mask_png(mask: np.ndarray) -> bytes:
    """PNG bytes of ``mask``: binary 0/1 masks are stored 0/255."""
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f"a mask is 2-D (H, W); got shape {mask.shape}")
    if mask.dtype == bool or (mask.size and int(mask.max()) <= 1):
        mask = mask.astype(np.uint8) * 255
    elif mask.min() < 0 or mask.max() > 255:
        raise ValueError("mask values must fit in 0..255")
    ok, encoded = cv2.imencode(".png", mask.astype(np.uint8))
    if not ok:
        raise ValueError("OpenCV could not encode the mask as PNG")
    return encoded.tobytes()


def write_mask(path: str | Path, mask: np.ndarray) -> None:
    """Save ``mask`` as a single-channel PNG, atomically (temporary file renamed over ``path``)."""
    if Path(path).suffix.lower() != ".png":
        raise ValueError(f"{path}: masks are saved as .png")
    atomic_write_bytes(path, encode_mask_png(mask))


def check_mask_size(mask: np.ndarray, image: np.ndarray, mask_path: str | Path | None) -> None:
    """DataError when a mask does not cover its image pixel for pixel."""
    if mask.shape[:2] != image.shape[:2]:
        mask_h, mask_w = mask.shape[:2]
        image_h, image_w = image.shape[:2]
        raise DataError(mask_path, f"mask is {mask_w}x{mask_h} but its image is {image_w}x{image_h}")


def check_mask_values(mask: np.ndarray, class_names: list[str], mask_path: str | Path | None) -> None:
    """DataError when a mask holds a value past the last class (it would train as garbage)."""
    if mask.size and int(mask.max()) >= len(class_names):
        raise DataError(mask_path, f"mask value {int(mask.max())} is beyond the {len(class_names)} classes "
                                   f"({', '.join(class_names[:5])}{', ...' if len(class_names) > 5 else ''}); "
                                   "name every value in classes.txt")
