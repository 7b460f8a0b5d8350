"""Box- or stroke-seeded GrabCut: select a whole object with one drag, no weights to download.

Large images are cut on a downscaled crop around the box (GrabCut is
iterative graph cuts on every pixel, so an 8000x8000 photo would take
minutes) and the result is scaled back with smooth edges. The rule, from
``bench/annotation.py`` on real Carvana photos (1918x1280, docs/annotation.md):
at most 120,000 working pixels and 2 iterations cost 0.25 s of CPU against
4.4 s for the full-resolution 4-iteration cut (17x), agree with it at Dice
0.955 and match the true mask better (IoU 0.929 vs 0.878): the downscale
smooths away the background specks the full-size cut keeps.
"""

from __future__ import annotations

import cv2
import numpy as np

from core.annotation.history import Region
from core.annotation.tools import Point, Selection, _crop

MAX_WORK_PIXELS = 120_000  # GrabCut runs at most this many pixels (about 350x350)
ITERATIONS = 2             # more rounds cost time and did not match the true masks better


def _as_bgr(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return np.ascontiguousarray(image[:, :, :3])


def _work_region(shape: tuple[int, int], box: Region | None, seeds: list[np.ndarray]) -> Region:
    """The box plus a margin of background around it, or the whole image without a box."""
    if box is None:
        return Region(0, 0, shape[0], shape[1])
    margin = max(4, int(0.15 * max(box.bottom - box.top, box.right - box.left)))
    return Region(box.top - margin, box.left - margin, box.bottom + margin, box.right + margin).clip(shape)


def _seed_mask(work: Region, box: Region | None, foreground, background) -> np.ndarray:
    """GrabCut's trimap: sure background outside the box, probable foreground inside it."""
    height, width = work.bottom - work.top, work.right - work.left
    if box is None:
        seeds = np.full((height, width), cv2.GC_PR_BGD, np.uint8)
    else:
        seeds = np.full((height, width), cv2.GC_BGD, np.uint8)
        seeds[box.top - work.top:box.bottom - work.top, box.left - work.left:box.right - work.left] = cv2.GC_PR_FGD
        if (seeds == cv2.GC_BGD).sum() == 0:  # the box is the whole image: let its rim be background
            seeds[[0, -1], :] = cv2.GC_PR_BGD
            seeds[:, [0, -1]] = cv2.GC_PR_BGD
    if foreground is not None:
        seeds[foreground[work.slices]] = cv2.GC_FGD
    if background is not None:
        seeds[background[work.slices]] = cv2.GC_BGD
    return seeds


def grabcut(image: np.ndarray, box: tuple[Point, Point] | None = None,
            foreground: np.ndarray | None = None, background: np.ndarray | None = None,
            iterations: int = ITERATIONS, max_pixels: int = MAX_WORK_PIXELS) -> Selection | None:
    """Foreground pixels found by GrabCut from a box (two corners) and/or seed strokes.

    ``foreground``/``background`` are bool masks of the whole image marking
    pixels the user stroked as sure object / sure background. Without a box
    the strokes alone seed the cut on the whole (downscaled) image.
    """
    shape = image.shape[:2]
    box_region = None
    if box is not None:
        (x0, y0), (x1, y1) = box
        box_region = Region(int(min(y0, y1)), int(min(x0, x1)), int(max(y0, y1)) + 1, int(max(x0, x1)) + 1).clip(shape)
        if box_region.empty:
            return None
    elif foreground is None or not foreground.any():
        return None
    work = _work_region(shape, box_region, [])
    seeds = _seed_mask(work, box_region, foreground, background)
    crop = _as_bgr(image)[work.slices]
    height, width = seeds.shape
    scale = min(1.0, float(np.sqrt(max_pixels / (height * width))))
    if scale < 1.0:
        size = (max(8, int(width * scale)), max(8, int(height * scale)))
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        seeds = cv2.resize(seeds, size, interpolation=cv2.INTER_NEAREST)
    cv2.setRNGSeed(0)  # GrabCut's k-means starts from random centres: keep it reproducible
    background_model = np.zeros((1, 65), np.float64)
    foreground_model = np.zeros((1, 65), np.float64)
    try:
        cv2.grabCut(crop, seeds, None, background_model, foreground_model, iterations, cv2.GC_INIT_WITH_MASK)
    except cv2.error:  # e.g. no background sample at all: nothing sensible to select
        return None
    chosen = ((seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)).astype(np.float32)
    if scale < 1.0:
        chosen = cv2.resize(chosen, (width, height), interpolation=cv2.INTER_LINEAR)
    pixels = chosen >= 0.5
    if box_region is not None:  # never select outside the box the user drew
        inside = np.zeros_like(pixels)
        inside[box_region.top - work.top:box_region.bottom - work.top,
               box_region.left - work.left:box_region.right - work.left] = True
        pixels &= inside
    return _crop(pixels, work.top, work.left)
