"""GrabCut seeded by the forest: per-image colour models and smooth edges on top of per-pixel votes.

The forest labels each pixel on its own, so on a view nobody scribbled the
floor patches and shadows that look like the car come out as car. GrabCut
starts from the forest's answer (probable object where p >= 0.5, probable
background elsewhere, the user's strokes as sure labels, optionally the most
confident pixels as sure too), fits one colour model per side *to this image*
and cuts along strong edges, which removes blobs whose colours the image's own
object does not share. It runs on the working grid (a few hundred thousand
pixels at most), where it costs a fraction of a second.
"""

from __future__ import annotations

import cv2
import numpy as np

from core.assist.scribbles import BACKGROUND, OBJECT, reduced_scribbles

BELOW_HALF = np.float32(0.4999)  # where a p = 1 pixel lands when GrabCut calls it background


def grabcut_trimap(probability: np.ndarray, marks: np.ndarray | None, sure: float) -> np.ndarray:
    """GrabCut's seed map from a probability: strokes sure, p < ``sure`` / p > 1 - ``sure`` sure, the rest probable."""
    seeds = np.where(probability >= 0.5, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    if sure > 0:
        seeds[probability < sure] = cv2.GC_BGD
        seeds[probability > 1.0 - sure] = cv2.GC_FGD
    if marks is not None:
        seeds[marks == OBJECT] = cv2.GC_FGD
        seeds[marks == BACKGROUND] = cv2.GC_BGD
    return seeds


def grabcut_refine(image: np.ndarray, probability: np.ndarray, marks: np.ndarray | None = None,
                   iterations: int = 2, sure: float = 0.0, max_pixels: int | None = None) -> np.ndarray:
    """The (h, w) probability moved to GrabCut's side of 0.5; ``image`` is (h, w, 3) uint8 on the same grid.

    Pixels GrabCut calls object get (1 + p) / 2 (>= 0.5), the others p / 2 (< 0.5, capped):
    thresholding gives GrabCut's cut, and the forest's shading survives for display.
    With ``max_pixels`` the cut runs on a grid shrunk to at most that many pixels
    (GrabCut's time grows with pixels) and its answer is upsampled bilinearly.
    The probability is returned unchanged when GrabCut cannot run (one side empty).
    """
    if image.shape[:2] != probability.shape:
        raise ValueError(f"image {image.shape[:2]} and probability {probability.shape} differ in size")
    chosen = grabcut_choice(image, probability, marks, iterations, sure, max_pixels)
    if chosen is None:
        return probability
    return np.where(chosen, 0.5 * (1.0 + probability), np.minimum(0.5 * probability, BELOW_HALF)).astype(np.float32)


def grabcut_choice(image, probability, marks, iterations, sure, max_pixels) -> np.ndarray | None:
    """(h, w) bool: GrabCut's object pixels, cut on a grid of at most ``max_pixels``; None if it cannot run."""
    height, width = probability.shape
    factor = 1.0 if max_pixels is None else min(1.0, float(np.sqrt(max_pixels / (height * width))))
    if factor < 1.0:
        size = (max(8, int(round(width * factor))), max(8, int(round(height * factor))))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        probability = cv2.resize(probability, size, interpolation=cv2.INTER_AREA)
        marks = None if marks is None else reduced_scribbles(marks, (size[1], size[0]))
    chosen = _grabcut(image, probability, marks, iterations, sure)
    if chosen is None or factor == 1.0:
        return chosen
    return cv2.resize(chosen.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR) >= 0.5


def _grabcut(image, probability, marks, iterations, sure) -> np.ndarray | None:
    seeds = grabcut_trimap(probability, marks, sure)
    has_object = np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD)).any()
    has_background = np.isin(seeds, (cv2.GC_BGD, cv2.GC_PR_BGD)).any()
    if not (has_object and has_background) or image.ndim != 3 or image.shape[2] != 3:
        return None
    cv2.setRNGSeed(0)  # GrabCut's k-means starts from random centres: keep it reproducible
    background_model = np.zeros((1, 65), np.float64)
    foreground_model = np.zeros((1, 65), np.float64)
    try:
        cv2.grabCut(np.ascontiguousarray(image, np.uint8), seeds, None, background_model, foreground_model,
                    iterations, cv2.GC_INIT_WITH_MASK)
    except cv2.error:  # a side with too few pixels for its colour model: keep the forest's answer
        return None
    return (seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)
