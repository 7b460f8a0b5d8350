"""Simulated scribbles drawn from a true mask, the way a user corrects the live assist.

The first stroke goes inside the object, the second outside it (random places,
fixed seed). Every later stroke goes where the current prediction is most
wrong: through the deepest point of the largest wrong region, along its long
axis, kept ``margin`` pixels away from the true boundary as a careful user
would. Deterministic for a given seed, mask and sequence of predictions.
"""

from __future__ import annotations

import cv2
import numpy as np

from core.assist.scribbles import BACKGROUND, OBJECT, UNMARKED


def _safe_regions(truth: np.ndarray, margin: int) -> dict[int, np.ndarray]:
    """Pixels at least ``margin`` from the true boundary (and the image border), per side."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
    inside = cv2.erode(truth.astype(np.uint8), kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    outside = cv2.erode((~truth).astype(np.uint8), kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return {OBJECT: inside > 0, BACKGROUND: outside > 0}


def _axis(region: np.ndarray) -> tuple[float, float]:
    """Unit vector along the long axis of a binary region (image moments)."""
    m = cv2.moments(region.astype(np.uint8), binaryImage=True)
    angle = 0.5 * np.arctan2(2 * m["mu11"], m["mu20"] - m["mu02"] + 1e-9)
    return float(np.cos(angle)), float(np.sin(angle))


def _walk(safe: np.ndarray, start: tuple[int, int], direction: tuple[float, float], half: int) -> np.ndarray:
    """Points from ``start`` both ways along ``direction`` while inside ``safe``; (N, 2) x, y."""
    height, width = safe.shape
    ends = []
    for sign in (-1, 1):
        end = start
        for step in range(1, half):
            x = int(round(start[0] + sign * step * direction[0]))
            y = int(round(start[1] + sign * step * direction[1]))
            if not (0 <= x < width and 0 <= y < height and safe[y, x]):
                break
            end = (x, y)
        ends.append(end)
    return np.array([ends[0], start, ends[1]], np.int32)


def _largest_wrong_region(truth, probability, safe, scribbles, value) -> tuple[np.ndarray, int] | None:
    wrong = (truth if value == OBJECT else ~truth) & (probability < 0.5 if value == OBJECT else probability >= 0.5)
    wrong &= safe[value] & (scribbles == UNMARKED)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(wrong.astype(np.uint8), connectivity=8)
    if count <= 1:
        return None
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return labels == best, int(stats[best, cv2.CC_STAT_AREA])


def next_stroke(truth: np.ndarray, scribbles: np.ndarray, probability: np.ndarray | None,
                rng: np.random.Generator, length: int = 300,
                margin: int = 20) -> tuple[np.ndarray, int] | None:
    """(points (N, 2) x, y; value) of the next stroke, or None when nothing is left to correct."""
    truth = np.asarray(truth, bool)
    safe = _safe_regions(truth, margin)
    count = {value: int(np.sum(scribbles == value)) for value in (OBJECT, BACKGROUND)}
    if probability is None or not count[OBJECT] or not count[BACKGROUND]:
        value = OBJECT if not count[OBJECT] else BACKGROUND
        ys, xs = np.nonzero(safe[value])
        pick = rng.integers(len(ys))
        region = safe[value]
        start = (int(xs[pick]), int(ys[pick]))
        angle = rng.uniform(0, np.pi)
        return _walk(region, start, (np.cos(angle), np.sin(angle)), length // 2), value
    candidates = [(found, value) for value in (OBJECT, BACKGROUND)
                  if (found := _largest_wrong_region(truth, probability, safe, scribbles, value)) is not None]
    if not candidates:
        return None
    (region, _), value = max(candidates, key=lambda c: c[0][1])
    depth = cv2.distanceTransform(region.astype(np.uint8), cv2.DIST_L2, 3)
    y, x = np.unravel_index(int(np.argmax(depth)), depth.shape)
    return _walk(safe[value], (int(x), int(y)), _axis(region), length // 2), value


def draw_stroke(scribbles: np.ndarray, points: np.ndarray, value: int, radius: int = 2) -> None:
    """Paint a polyline of ``2 radius + 1`` pixels width into ``scribbles`` in place."""
    cv2.polylines(scribbles, [points.reshape(-1, 1, 2)], False, int(value), thickness=2 * radius + 1)
