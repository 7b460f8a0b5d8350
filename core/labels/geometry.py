"""Masks <-> polygons, in COCO's pixel convention, exactly.

Coordinates follow COCO: pixel ``(x, y)`` covers the square ``[x, x+1] x [y, y+1]``,
so its centre is ``(x + 0.5, y + 0.5)``. Polygons are rasterised with pycocotools
(the reference COCO rasteriser) for every polygon format, so a file means the same
mask whichever format it came in.

Mask -> polygon: OpenCV traces the outline of the mask upsampled 2x; a point
``X`` of that outline maps back to ``X / 2 + 0.25``, a quarter pixel outside each
boundary pixel's centre. ``CHAIN_APPROX_SIMPLE`` drops only points in the middle
of straight runs, so the simplification tolerance is zero: rasterising the
polygons gives back the mask pixel for pixel (tests check random shapes). Holes
are joined to their outer outline by a zero-width bridge (both directions of
one edge), which even-odd and non-zero fill both leave empty, so one polygon
per connected region keeps its holes.
"""

from __future__ import annotations

import math
import warnings

import cv2
import numpy as np
from pycocotools import mask as coco_mask

OUTLINE_OFFSET = 0.25  # outline points sit a quarter pixel outside boundary pixel centres

Polygon = list[float]  # flat [x1, y1, x2, y2, ...] in COCO coordinates


def mask_to_polygons(mask: np.ndarray) -> list[Polygon]:
    """One polygon per 8-connected region of the non-zero pixels, holes bridged in."""
    binary = (np.asarray(mask) != 0).astype(np.uint8)
    if not binary.any():
        return []
    x, y, width, height = cv2.boundingRect(binary)  # trace only the box around the pixels
    upsampled = np.kron(binary[y:y + height, x:x + width], np.ones((2, 2), np.uint8))  # (2h, 2w)
    contours, hierarchy = cv2.findContours(upsampled, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    corner = np.array([x, y], np.float64)
    outlines = [contour.reshape(-1, 2).astype(np.float64) / 2 + OUTLINE_OFFSET + corner for contour in contours]
    links = hierarchy[0]  # per contour: next, previous, first child, parent
    polygons = []
    for index, outline in enumerate(outlines):
        if links[index][3] != -1:
            continue  # a hole: joined to its parent below
        child = links[index][2]
        while child != -1:
            outline = _bridge(outline, outlines[child])
            child = links[child][0]
        polygons.append(outline.reshape(-1).tolist())
    return polygons


def _bridge(outline: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """``outline`` walking into ``hole`` at their closest points, around it and back out."""
    distances = ((outline[:, None, :] - hole[None, :, :]) ** 2).sum(axis=2)  # (n_outline, n_hole)
    i, j = np.unravel_index(int(distances.argmin()), distances.shape)
    return np.concatenate([outline[:i + 1], hole[j:], hole[:j + 1], outline[i:]])


def has_holes(mask: np.ndarray) -> bool:
    """Whether any region of the non-zero pixels encloses background."""
    binary = (np.asarray(mask) != 0).astype(np.uint8)
    if not binary.any():
        return False
    _, hierarchy = cv2.findContours(binary, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    return bool((hierarchy[0][:, 3] != -1).any())


def polygons_to_mask(polygons: list[Polygon], height: int, width: int) -> np.ndarray:
    """uint8 0/1 (H, W): the union of ``polygons`` rasterised by pycocotools.

    Polygons with fewer than three points cover nothing and are skipped.
    """
    usable = [list(map(float, polygon)) for polygon in polygons if len(polygon) >= 6]
    if not usable:
        return np.zeros((height, width), np.uint8)
    rles = coco_mask.frPyObjects(usable, height, width)
    return _decode(coco_mask.merge(rles))


def rle_to_mask(segmentation: dict, height: int, width: int) -> np.ndarray:
    """uint8 0/1 (H, W) of a COCO RLE, compressed (``counts`` a string) or not (a list).

    Raises ValueError when the counts do not add up to the image.
    """
    counts = segmentation.get("counts")
    size = segmentation.get("size")
    if size is not None and [int(v) for v in size] != [height, width]:
        raise ValueError(f"RLE size {size} does not match the image's {height}x{width} (height x width)")
    if isinstance(counts, list):
        if any(not isinstance(c, int) or c < 0 for c in counts):
            raise ValueError("uncompressed RLE counts must be non-negative integers")
        if sum(counts) != height * width:
            raise ValueError(f"uncompressed RLE counts add up to {sum(counts)}, not {height}*{width}")
        rle = coco_mask.frPyObjects({"counts": counts, "size": [height, width]}, height, width)
    elif isinstance(counts, (str, bytes)):
        rle = {"counts": counts.encode("ascii") if isinstance(counts, str) else counts, "size": [height, width]}
    else:
        raise ValueError("RLE counts must be a string (compressed) or a list of integers")
    decoded = _decode(rle)
    if decoded.shape != (height, width):
        raise ValueError("RLE does not decode to the image size")
    return decoded.astype(np.uint8)


def _decode(rle: dict) -> np.ndarray:
    """uint8 (H, W) of one RLE; pycocotools 2.0.x's NumPy 2 copy= warning is its own, not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return coco_mask.decode(rle).astype(np.uint8)


def mask_to_rle(mask: np.ndarray) -> dict:
    """Compressed COCO RLE ``{"size": [H, W], "counts": str}`` (JSON-ready)."""
    rle = coco_mask.encode(np.asfortranarray((np.asarray(mask) != 0).astype(np.uint8)))
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}


def bounding_box(mask: np.ndarray) -> list[float]:
    """COCO ``[x, y, width, height]`` of the non-zero pixels (zeros when empty)."""
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        return [0.0, 0.0, 0.0, 0.0]
    return [float(xs.min()), float(ys.min()), float(xs.max() - xs.min() + 1), float(ys.max() - ys.min() + 1)]


def rectangle_mask(corner_a: tuple[float, float], corner_b: tuple[float, float],
                   height: int, width: int) -> np.ndarray:
    """Pixels whose centres lie inside the axis-aligned box between two corners."""
    (x1, y1), (x2, y2) = corner_a, corner_b
    mask = np.zeros((height, width), np.uint8)
    left, right = _centre_range(min(x1, x2), max(x1, x2), width)
    top, bottom = _centre_range(min(y1, y2), max(y1, y2), height)
    mask[top:bottom, left:right] = 1
    return mask


def _centre_range(low: float, high: float, limit: int) -> tuple[int, int]:
    """Indices ``i`` with ``low <= i + 0.5 <= high``, clipped to ``[0, limit)``."""
    start = max(0, math.ceil(low - 0.5))
    stop = min(limit, math.floor(high - 0.5) + 1)
    return start, max(start, stop)

