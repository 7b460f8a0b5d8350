"""Editing tools as pure functions on numpy arrays.

Shape tools (brush, polygon, rectangle, flood fill, magic wand, GrabCut) return
a :class:`Selection`: a boolean patch placed at ``(top, left)``, so the caller
paints only that box. Clean-ups (keep largest component, fill holes, start from
the prediction) return a whole new mask; the document keeps only the part
that changed. Coordinates are pixel centres: ``(x, y)`` = (column, row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np

from core.annotation.history import Region

Point = tuple[float, float]  # (x, y) in image pixels


@dataclass(frozen=True)
class Selection:
    """Pixels ``pixels[i, j]`` at image position ``(top + i, left + j)``."""

    top: int
    left: int
    pixels: np.ndarray  # bool (h, w)

    @property
    def region(self) -> Region:
        height, width = self.pixels.shape
        return Region(self.top, self.left, self.top + height, self.left + width)

    def full(self, shape: tuple[int, int]) -> np.ndarray:
        """The selection as a bool mask of the whole image."""
        out = np.zeros(shape[:2], bool)
        out[self.region.slices] = self.pixels
        return out


def _crop(selection_pixels: np.ndarray, top: int, left: int) -> Selection | None:
    """Shrink a selection to the box of its True pixels (None when empty)."""
    rows = np.flatnonzero(selection_pixels.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(selection_pixels.any(axis=0))
    pixels = selection_pixels[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return Selection(top + int(rows[0]), left + int(cols[0]), pixels)


def brush_segment(shape: tuple[int, int], start: Point, end: Point, radius: float) -> Selection | None:
    """Pixels within ``radius`` of the segment start-end (a round dab when equal).

    A drag sends one segment per mouse move, so fast strokes leave no gaps.
    """
    (x0, y0), (x1, y1) = start, end
    region = Region(int(np.floor(min(y0, y1) - radius)), int(np.floor(min(x0, x1) - radius)),
                    int(np.ceil(max(y0, y1) + radius)) + 1, int(np.ceil(max(x0, x1) + radius)) + 1)
    region = region.clip(shape)
    if region.empty:
        return None
    ys = np.arange(region.top, region.bottom, dtype=np.float32)[:, None]   # (h, 1)
    xs = np.arange(region.left, region.right, dtype=np.float32)[None, :]   # (1, w)
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    if length2 == 0:
        t = 0.0
    else:  # projection of each pixel on the segment, clamped to its ends
        t = np.clip(((xs - x0) * dx + (ys - y0) * dy) / length2, 0.0, 1.0)
    dist2 = (xs - (x0 + t * dx)) ** 2 + (ys - (y0 + t * dy)) ** 2
    return _crop(dist2 <= radius * radius + 1e-6, region.top, region.left)


def polygon(shape: tuple[int, int], points: Sequence[Point]) -> Selection | None:
    """Inside of the closed polygon through ``points`` (edges included)."""
    if len(points) < 3:
        return None
    pts = np.round(np.asarray(points, np.float64)).astype(np.int32)  # (n, 2) x, y
    region = Region(int(pts[:, 1].min()), int(pts[:, 0].min()),
                    int(pts[:, 1].max()) + 1, int(pts[:, 0].max()) + 1).clip(shape)
    if region.empty:
        return None
    patch = np.zeros((region.bottom - region.top, region.right - region.left), np.uint8)
    cv2.fillPoly(patch, [pts - np.array([region.left, region.top], np.int32)], 1)
    return _crop(patch.astype(bool), region.top, region.left)


def rectangle(shape: tuple[int, int], corner: Point, opposite: Point) -> Selection | None:
    """The axis-aligned box between two corners, both included."""
    (x0, y0), (x1, y1) = corner, opposite
    region = Region(int(round(min(y0, y1))), int(round(min(x0, x1))),
                    int(round(max(y0, y1))) + 1, int(round(max(x0, x1))) + 1).clip(shape)
    if region.empty:
        return None
    return Selection(region.top, region.left, np.ones((region.bottom - region.top, region.right - region.left), bool))


def _flood(source: np.ndarray, x: int, y: int, tolerance: int) -> Selection | None:
    """4-connected region of ``source`` around (x, y) within ``tolerance`` of the seed."""
    height, width = source.shape[:2]
    if not (0 <= x < width and 0 <= y < height):
        return None
    region_mask = np.zeros((height + 2, width + 2), np.uint8)
    channels = 1 if source.ndim == 2 else source.shape[2]
    diff = (tolerance,) * channels
    flags = 4 | (1 << 8) | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE
    _, _, _, (left, top, w, h) = cv2.floodFill(np.ascontiguousarray(source), region_mask, (int(x), int(y)),
                                               0, diff, diff, flags)
    pixels = region_mask[1 + top:1 + top + h, 1 + left:1 + left + w].astype(bool)
    return Selection(top, left, pixels)


def flood_fill(mask: np.ndarray, x: int, y: int) -> Selection | None:
    """The 4-connected area of the label under (x, y): what a paint bucket fills."""
    return _flood(mask, x, y, 0)


def magic_wand(image: np.ndarray, x: int, y: int, tolerance: int = 20) -> Selection | None:
    """Pixels connected to (x, y) whose colour is within ``tolerance`` of the seed's, per channel."""
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[:, :, :3]
    return _flood(image, x, y, int(tolerance))


def keep_largest_component(mask: np.ndarray, value: int = 1) -> np.ndarray:
    """``mask`` with every 8-connected blob of ``value`` but the largest set to 0."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats((mask == value).astype(np.uint8), connectivity=8)
    out = mask.copy()
    if count <= 2:
        return out
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    out[(labels != largest) & (labels != 0)] = 0
    return out


def fill_holes(mask: np.ndarray, value: int = 1) -> np.ndarray:
    """``mask`` with background pockets enclosed by ``value`` (not touching the border) filled."""
    outside = (mask != value).astype(np.uint8)
    padded = np.pad(outside, 1, constant_values=1)
    reach = np.zeros((padded.shape[0] + 2, padded.shape[1] + 2), np.uint8)
    cv2.floodFill(padded, reach, (0, 0), 0, 0, 0, 4 | (1 << 8) | cv2.FLOODFILL_MASK_ONLY)
    enclosed = (outside == 1) & (reach[2:-2, 2:-2] == 0)
    out = mask.copy()
    out[enclosed] = value
    return out


def mask_from_prediction(prediction: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Labels from model output: (H, W) probabilities >= threshold -> 1, or (C, H, W) -> argmax."""
    prediction = np.asarray(prediction)
    if prediction.ndim == 3:
        return np.argmax(prediction, axis=0).astype(np.uint8)
    if prediction.ndim != 2:
        raise ValueError(f"prediction must be (H, W) or (C, H, W); got shape {prediction.shape}")
    return (prediction >= threshold).astype(np.uint8)
