"""Decode image and mask files straight to the size they will be used at.

Training, thumbnails and prediction rarely need a 1918x1280 photo at full size.
libjpeg can decode a JPEG at 1/2, 1/4 or 1/8 scale while it decodes
(``cv2.IMREAD_REDUCED_COLOR_*``), several times faster than a full decode
followed by a resize; we pick the largest reduction that still covers the
target size, then resize the rest of the way (INTER_AREA, as Preprocess does).

GIF masks (Carvana) are decoded with Pillow: OpenCV's GIF decoder takes
~38 ms for a 1918x1280 mask, Pillow ~5 ms, and Pillow hands back palette
indices, which is what a mask is.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from core.data.images import apply_orientation, check_header, read_file_bytes, read_image
from core.data.masks import read_mask
from core.errors import DataError

JPEG_SUFFIXES = (".jpg", ".jpeg")
REDUCTIONS = (  # (factor, colour flag, grey flag), largest reduction first
    (8, cv2.IMREAD_REDUCED_COLOR_8, cv2.IMREAD_REDUCED_GRAYSCALE_8),
    (4, cv2.IMREAD_REDUCED_COLOR_4, cv2.IMREAD_REDUCED_GRAYSCALE_4),
    (2, cv2.IMREAD_REDUCED_COLOR_2, cv2.IMREAD_REDUCED_GRAYSCALE_2),
)


TRANSPOSED = (5, 6, 7, 8)  # EXIF orientations that swap width and height


def image_size(path: str | Path) -> tuple[int, int]:
    """(H, W) of an image file as it is shown (EXIF orientation applied), from its
    header only: the size a prediction is brought back to."""
    height, width, _, orientation = _header(path, read_file_bytes(path))
    return (width, height) if orientation in TRANSPOSED else (height, width)


def _header(path: str | Path, data: np.ndarray) -> tuple[int, int, str, int]:
    """(stored H, stored W, Pillow mode, EXIF orientation), after the reader's pixel-count
    limit (``core.data.images.check_header``); nothing is decoded."""
    import io

    from PIL import Image

    orientation = check_header(path, data)  # DataError for unreadable or oversized headers
    with Image.open(io.BytesIO(memoryview(data))) as image:
        width, height = image.size
        return height, width, image.mode, orientation


UPSCALE_SLACK = 0.02  # a reduced decode may fall this much short and be stretched (959 -> 960)


def reduction_factor(full: tuple[int, int], target: tuple[int, int]) -> int:
    """The largest of 8, 4, 2 (else 1) that keeps a ``full`` (H, W) image at least
    ``target`` (H, W) in both directions, give or take ``UPSCALE_SLACK`` (working
    sizes are rounded to multiples of 16). libjpeg rounds reduced sizes up."""
    for factor, _, _ in REDUCTIONS:
        reduced = (-(-full[0] // factor), -(-full[1] // factor))
        if all(side >= (1 - UPSCALE_SLACK) * want for side, want in zip(reduced, target)):
            return factor
    return 1


def default_working_height(image_hw: tuple[int, int], minimum: int) -> int:
    """Working height for an image of ``image_hw``: its height divided by the largest
    of 8, 4, 2 that keeps it >= ``minimum`` (its own height when none does).

    Power-of-two fractions decode straight from JPEG and keep every image's
    aspect: Carvana's 1280 rows -> 160 at a CPU minimum of 128, 640 at 512.
    """
    height = int(image_hw[0])
    for factor, _, _ in REDUCTIONS:
        if height // factor >= minimum:
            return height // factor
    return height


def _resize_area(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if image.shape[:2] == tuple(size):
        return image
    height, width = size
    shrinking = image.shape[0] > height or image.shape[1] > width
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def decode_image(path: str | Path, size: tuple[int, int] | None = None) -> np.ndarray:
    """uint8 (H, W) grey or (H, W, 3) RGB at ``size`` (H, W), or at full size when None.

    JPEGs are decoded reduced when the target allows it; other formats decode
    in full and are resized.
    """
    if size is None or Path(path).suffix.lower() not in JPEG_SUFFIXES:
        image = read_image(path)
        return image if size is None else _resize_area(image, size)
    data = read_file_bytes(path)
    height, width, mode, orientation = _header(path, data)
    stored_target = size[::-1] if orientation in TRANSPOSED else size
    factor = reduction_factor((height, width), stored_target)
    if factor == 1:
        return _resize_area(read_image(path), size)
    grey = mode == "L"  # read_image keeps grey JPEGs grey
    flag = next(g if grey else c for f, c, g in REDUCTIONS if f == factor)
    try:  # orientation as read_image applies it, not OpenCV's own
        decoded = cv2.imdecode(data, flag | cv2.IMREAD_IGNORE_ORIENTATION)
    except cv2.error:
        decoded = None
    if decoded is None or decoded.size == 0:
        raise DataError(path, "cannot decode image (corrupt or unsupported format)")
    pixels = decoded if grey else cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)
    return _resize_area(np.ascontiguousarray(apply_orientation(pixels, orientation)), size)


def decode_mask(path: str | Path) -> np.ndarray:
    """uint8 (H, W) mask, as ``read_mask`` gives it; GIFs through Pillow (7x faster)."""
    if Path(path).suffix.lower() == ".gif":
        mask = _gif_mask(path)
        if mask is not None:
            return mask
    return read_mask(path)


def _gif_mask(path: str | Path) -> np.ndarray | None:
    """A palette GIF as read_mask reads it: grey palette -> its grey level, else
    any non-black colour = object; None for GIFs this shortcut does not cover
    (transparency, non-palette modes), which then take the general path."""
    import io

    from PIL import Image, UnidentifiedImageError

    data = read_file_bytes(path)
    if check_header(path, data) != 1:  # EXIF-turned: the general path turns it
        return None
    try:
        with Image.open(io.BytesIO(memoryview(data))) as image:
            if image.mode != "P" or "transparency" in image.info:
                return None
            indices = np.asarray(image)  # (H, W) palette indices
            palette = np.asarray(image.getpalette() or [], dtype=np.uint8).reshape(-1, 3)

    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as error:
        raise DataError(path, f"cannot decode GIF mask ({error})") from None
    palette = np.concatenate([palette, np.zeros((256 - len(palette), 3), np.uint8)])
    counts = cv2.calcHist([indices], [0], None, [256], [0, 256]).ravel()  # (256,) ~1 ms, no sort
    used = np.flatnonzero(counts)
    colours = palette[used]
    if (colours[:, 0] == colours[:, 1]).all() and (colours[:, 0] == colours[:, 2]).all():
        lut = palette[:, 0].copy()
    else:
        lut = palette.any(axis=1).astype(np.uint8)
    values = lut[used]
    if values.max() == 255 and np.isin(values, (0, 255)).all():  # normalise_mask, on the palette
        lut = (lut == 255).astype(np.uint8)
    return cv2.LUT(indices, lut)  # (H, W) uint8, one look-up per pixel (15x numpy's lut[indices])


def decode_mask_at(path: str | Path, size: tuple[int, int] | None) -> np.ndarray:
    """The mask at ``size`` (H, W): nearest-neighbour, so labels stay labels."""
    return resize_nearest(decode_mask(path), size)


def resize_nearest(mask: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """Nearest-neighbour resize to ``size`` (H, W) (None or same size: unchanged)."""
    if size is None or mask.shape[:2] == tuple(size):
        return mask
    return cv2.resize(mask, (size[1], size[0]), interpolation=cv2.INTER_NEAREST)


def mask_coverage(mask: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """uint8 (H, W) 0..255 at ``size``: how much of each pixel is object (nonzero) in
    ``mask``, area-averaged (255 = all of it). A soft target that keeps the sub-pixel
    position of every edge a nearest-neighbour reduction throws away."""
    objects = (np.asarray(mask) > 0).astype(np.uint8) * 255
    if size is None or objects.shape[:2] == tuple(size):
        return objects
    return cv2.resize(objects, (size[1], size[0]), interpolation=cv2.INTER_AREA)


def decode_thumbnail(path: str | Path, max_side: int) -> np.ndarray:
    """uint8 RGB/grey image whose longer side is at most ``max_side`` (aspect kept),
    decoded reduced when the file is a JPEG: for browsers and previews."""
    full = image_size(path)
    scale = min(1.0, max_side / max(full))
    size = (max(1, round(full[0] * scale)), max(1, round(full[1] * scale)))
    return decode_image(path, size)


__all__ = ["decode_image", "decode_mask", "decode_mask_at", "decode_thumbnail",
           "default_working_height", "image_size", "mask_coverage", "reduction_factor", "resize_nearest"]
