"""Tidy a pixel classifier's probability: keep the object the user marked, fill its holes.

A per-pixel forest has no notion of objects: background that looks like the
object (grey letters on a wall behind a silver car) comes out as stray blobs,
and dark windows inside it as holes. Tidying keeps the blobs an object stroke
touches and fills enclosed holes: what a user would do next with Keep largest
and Fill holes. An image without object strokes keeps its largest blob when
asked (after GrabCut has cleaned the floor off, that is the object on Carvana;
on the raw forest it was often the floor, see docs/annotation.md), else every blob.
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

