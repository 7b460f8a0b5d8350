"""Tidy a pixel classifier's probability: keep the object the user marked, fill its holes.

A per-pixel forest has no notion of objects: background that looks like the
object (grey letters on a wall behind a silver car) comes out as stray blobs,
and dark windows inside it as holes. Tidying keeps the blobs an object stroke
touches and fills enclosed holes: what a user would do next with Keep largest
and Fill holes. An image without object strokes only gets its holes filled
(its largest blob was tried: on Carvana side views that is often the floor).
Images with many separate objects should switch it off (scribble one, find all).
"""

from __future__ import annotations

import cv2
import numpy as np

from core.annotation.tools import fill_holes
from core.assist.scribbles import BACKGROUND, OBJECT


def tidy_probability(probability: np.ndarray, scribbles: np.ndarray, threshold: float = 0.5,
                     largest_without_strokes: bool = False) -> np.ndarray:
    """(H, W) probability with untouched blobs set to 0 and enclosed holes to 1.

    ``scribbles`` is on the same grid. Marked pixels take their marked class.
    Without object strokes on any blob every blob is kept (holes still filled),
    or only the largest with ``largest_without_strokes``.
    """
    if probability.shape != scribbles.shape:
        raise ValueError(f"probability {probability.shape} and scribbles {scribbles.shape} differ in size")
    inside = (probability >= threshold).astype(np.uint8)
    count, labels = cv2.connectedComponents(inside, connectivity=8)
    touched = np.zeros(count, bool)
    touched[np.unique(labels[(scribbles == OBJECT) & (inside > 0)])] = True
    touched[0] = False
    if not touched.any() and largest_without_strokes and count > 1:
        areas = np.bincount(labels.ravel(), minlength=count)
        areas[0] = 0
        touched[int(np.argmax(areas))] = True
    keep = touched[labels] if touched.any() else inside.astype(bool)
    filled = fill_holes(keep.astype(np.uint8), 1).astype(bool)
    tidy = np.array(probability, np.float32)
    tidy[(inside > 0) & ~keep] = 0.0
    tidy[filled & ~keep] = 1.0
    tidy[scribbles == OBJECT] = 1.0
    tidy[scribbles == BACKGROUND] = 0.0
    return tidy


def tidy_hints(raw: np.ndarray, tidy: np.ndarray, previous: np.ndarray | None, per_class: int, seed: int = 0,
               threshold: float = 0.5) -> np.ndarray:
    """A scribble map of what tidying corrected: dropped blobs as background, filled holes as object.

    These are the forest's own mistakes on an image the user scribbled, corrected
    by the one-object rule the user sees applied (and accepts) in the overlay, so
    the next forest can learn from them: floor or wall patches that looked like
    the object become background examples. Hints accumulate over updates
    (``previous``, the last map) so that a mistake learned stays learned, and
    are dropped where the tidy overlay no longer agrees with them; at most
    ``per_class`` pixels of each kind are kept (fixed seed).
    """
    hints = np.zeros(raw.shape, np.uint8) if previous is None else previous.copy()
    hints[(hints == BACKGROUND) & (tidy >= threshold)] = 0
    hints[(hints == OBJECT) & (tidy < threshold)] = 0
    hints[(raw >= threshold) & (tidy < threshold)] = BACKGROUND
    hints[(raw < threshold) & (tidy >= threshold)] = OBJECT
    rng = np.random.default_rng(seed)
    for value in (BACKGROUND, OBJECT):
        where = np.flatnonzero(hints == value)
        if len(where) > per_class:
            hints.flat[rng.choice(where, len(where) - per_class, replace=False)] = 0
    return hints
