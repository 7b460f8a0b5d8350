"""Masks as class ids: what a mask read from a dataset or disk means to the editor.

Binary datasets store masks as 0/255 images (PNG, GIF) or 0/1 labels; the
editor paints class ids. This is the one place that decides which is which,
so the editor, training and export read a mask the same way.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def as_labels(mask: np.ndarray | None, shape: tuple[int, int], binary: bool) -> np.ndarray:
    """``mask`` as uint8 class ids of ``shape`` (zeros when None); binary 0/255 masks become 0/1."""
    if mask is None:
        return np.zeros(shape, np.uint8)
    labels = np.asarray(mask, np.uint8)
    if labels.shape != tuple(shape):
        raise ValueError(f"mask shape {labels.shape} differs from the image's {tuple(shape)}")
    if binary and labels.max(initial=0) > 1:  # 0/255 masks from disk
        labels = (labels > 127).astype(np.uint8)
    return labels


def names_for(labels: np.ndarray, class_names: Sequence[str]) -> list[str]:
    """``class_names`` extended with "class K" for every id the labels use beyond them."""
    names = list(class_names)
    while int(labels.max(initial=0)) >= len(names):
        names.append(f"class {len(names)}")
    return names
