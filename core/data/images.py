"""Decoding image files into the uint8 arrays every dataset returns.

Before decoding, the header's width x height is checked against
``core.limits.IMAGE_PIXELS`` (Pillow reads only the header: a 35-byte GIF can
declare a 30000x30000 screen that OpenCV would allocate 3.6 GB for). One rule
for EXIF orientation, images and masks alike: pixels come out as image viewers
show them (the Orientation tag is applied), so a mask drawn over a rotated
phone photo lines up with it.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from core import limits
from core.errors import DataError

cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # OpenCV's own stderr lines; failures reach the user as one DataError line

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif")


def is_image_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def read_file_bytes(path: str | Path) -> np.ndarray:
    """The file's bytes as uint8, or a one-line DataError (missing, unreadable, empty)."""
    try:
        with open(path, "rb") as handle:  # cv2.imread fails silently on non-ASCII paths
            data = np.frombuffer(handle.read(), dtype=np.uint8)
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    except OSError as error:
        raise DataError(path, f"cannot read file ({error.strerror or error})") from None
    if data.size == 0:
        raise DataError(path, "file is empty")
    return data


def decode_file(path: str | Path) -> np.ndarray:
    """The raw decoded array of ``path`` (OpenCV channel order), or a DataError."""
    data = read_file_bytes(path)
    orientation = check_header(path, data)
    try:
        decoded = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    except cv2.error:
        decoded = None
    if decoded is None or decoded.size == 0:
        raise DataError(path, "cannot decode image (corrupt or unsupported format)")
    return apply_orientation(decoded, orientation)


def check_header(path: str | Path, data: np.ndarray | bytes) -> int:
    """The EXIF orientation (1..8) of encoded image ``data``, after checking its pixel count.

    DataError when the header is unreadable or declares more pixels than
    ``core.limits.IMAGE_PIXELS``; nothing is decoded.
    """
    limit = limits.IMAGE_PIXELS.value()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow's DecompressionBombWarning: we decide below
        if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < limit:
            Image.MAX_IMAGE_PIXELS = limit  # Pillow's own bomb check must not be stricter
        try:
            with Image.open(io.BytesIO(memoryview(data))) as image:
                width, height = image.size
                orientation = _orientation(image)
        except Image.DecompressionBombError:
            raise DataError(path, f"image has over {2 * limit:,} pixels, above the limit of "
                                  f"{limit:,} ({limits.IMAGE_PIXELS.hint()})") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError,
                KeyError, TypeError):
            raise DataError(path, "cannot decode image (corrupt or unsupported format)") from None
    if width * height > limit:
        raise DataError(path, f"image is {width}x{height} = {width * height:,} pixels, above the "
                              f"limit of {limit:,} ({limits.IMAGE_PIXELS.hint()})")
    return orientation


def _orientation(image: Image.Image) -> int:
    """EXIF Orientation from the header only (Pillow's PNG getexif() would decode the pixels)."""
    raw = image.info.get("exif")
    try:
        if raw:
            exif = Image.Exif()
            exif.load(raw)
            value = exif.get(0x0112, 1)
        elif image.format == "TIFF":
            value = image.tag_v2.get(0x0112, 1)
        else:
            value = 1
        return int(value) if int(value) in range(1, 9) else 1
    except Exception:  # noqa: BLE001 - a garbled EXIF block must not refuse a readable image
        return 1


def apply_orientation(array: np.ndarray, orientation: int) -> np.ndarray:
    """``array`` (H, W[, C]) turned as EXIF ``orientation`` says (1 = as stored)."""
    if orientation in (5, 7):  # transpose / transverse: mirror across a diagonal
        array = array.swapaxes(0, 1)
    turned = {2: np.fliplr, 3: lambda a: np.rot90(a, 2), 4: np.flipud, 6: lambda a: np.rot90(a, -1),
              7: lambda a: np.rot90(a, 2), 8: lambda a: np.rot90(a, 1)}.get(orientation)
    return array if turned is None else np.ascontiguousarray(turned(array))


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
