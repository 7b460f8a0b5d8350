"""Scribbles: a uint8 (H, W) map of the pixels the user marked as object or background.

A scribble map is edited like a mask (a :class:`MaskDocument` with the three
"classes" of SCRIBBLE_CLASSES), so strokes, their undo, the crash journal and
atomic saving all come from ``core.annotation`` unchanged.
"""

from __future__ import annotations

import cv2
import numpy as np

UNMARKED, BACKGROUND, OBJECT = 0, 1, 2
SCRIBBLE_CLASSES = ("unmarked", "background", "object")


def scribble_document(item_id: str, scribbles: np.ndarray | None, shape: tuple[int, int], recorder=None):
    """A MaskDocument over a scribble map (empty when ``scribbles`` is None or of another shape)."""
    from core.annotation.document import MaskDocument

    if scribbles is None or scribbles.shape != tuple(shape):
        scribbles = np.zeros(shape, np.uint8)
    return MaskDocument(item_id, scribbles, SCRIBBLE_CLASSES, recorder=recorder)


def has_both_classes(scribbles: np.ndarray) -> bool:
    marked = np.bincount(np.asarray(scribbles, np.uint8).ravel(), minlength=3)
    return bool(marked[BACKGROUND] and marked[OBJECT])


def reduced_scribbles(scribbles: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The scribble map on a coarser (height, width) grid.

    A coarse pixel takes a class when any of the fine pixels it covers has it, so
    a stroke thinner than the scale step still gives samples; a coarse pixel that
    both classes touch is left unmarked (its features mix both sides).
    """
    height, width = size
    if scribbles.shape == (height, width):
        return np.asarray(scribbles, np.uint8)
    reduced = np.zeros((height, width), np.uint8)
    touched = {}
    for value in (BACKGROUND, OBJECT):
        marked = (scribbles == value).astype(np.float32)  # float: a 1-in-9 cover stays > 0
        touched[value] = cv2.resize(marked, (width, height), interpolation=cv2.INTER_AREA) > 0
    reduced[touched[BACKGROUND]] = BACKGROUND
    reduced[touched[OBJECT]] = OBJECT
    reduced[touched[BACKGROUND] & touched[OBJECT]] = UNMARKED
    return reduced


def training_samples(features: np.ndarray, scribbles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Features (N, F) of the marked pixels and their labels (N,): 1 object, 0 background.

    ``scribbles`` must already be on the features' grid (see reduced_scribbles).
    """
    if features.shape[:2] != scribbles.shape:
        raise ValueError(f"features {features.shape[:2]} and scribbles {scribbles.shape} differ in size")
    marked = scribbles != UNMARKED
    return features[marked], (scribbles[marked] == OBJECT).astype(np.uint8)
