"""Dataset -> float32 arrays for the NumPy engine, mini-batch order, random shifts.

MNIST fits in memory (60k x 784 floats = 188 MB), so each split is prepared
once with the run's ``Preprocess`` and batches are plain fancy indexing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.data.base import Dataset, split_view
from core.errors import DataError
from core.preprocess import Preprocess


@dataclass
class SplitArrays:
    images: np.ndarray      # float32 (N, C, H, W), preprocessed
    labels: np.ndarray      # int64 (N,)
    view: object            # the SplitView, for raw images and item ids (previews)

    def __len__(self) -> int:
        return len(self.labels)


def split_arrays(dataset: Dataset, split: str, preprocess: Preprocess,
                 limit: int | None = None) -> SplitArrays | None:
    """The first ``limit`` items of ``split`` (None when the dataset lacks that split)."""
    if len(dataset.splits.get(split, ())) == 0:
        return None
    view = split_view(dataset, split)
    count = len(view) if limit is None else min(int(limit), len(view))
    channels = preprocess.channels
    height, width = preprocess.size
    images = np.empty((count, channels, height, width), np.float32)   # (N, C, H, W)
    labels = np.empty(count, np.int64)
    for index in range(count):
        sample = view[index]
        if sample.target is None:
            raise DataError(sample.path or sample.item_id, f"{split} item has no label")
        images[index] = preprocess(sample.image)
        labels[index] = int(sample.target)
    return SplitArrays(images, labels, view)


def batch_indices(count: int, batch_size: int, rng: np.random.Generator | None) -> list[np.ndarray]:
    """Shuffled (rng given) or ordered batches; a trailing batch of one item is dropped
    when shuffling, since batch statistics of a single image are meaningless."""
    order = rng.permutation(count) if rng is not None else np.arange(count)
    batches = [order[start:start + batch_size] for start in range(0, count, batch_size)]
    if rng is not None and len(batches) > 1 and len(batches[-1]) == 1:
        batches.pop()
    return batches


def batch_count(count: int, batch_size: int) -> int:
    """How many shuffled batches ``batch_indices`` gives for ``count`` items."""
    batches = -(-count // batch_size)
    return batches - 1 if batches > 1 and count % batch_size == 1 else batches


def random_shift(images: np.ndarray, rng: np.random.Generator, max_shift: int,
                 fill: np.ndarray) -> np.ndarray:
    """Translate each image by up to ``max_shift`` pixels in x and y, filling with ``fill``.

    ``fill`` is the per-channel value of a black pixel after normalisation, (C,).
    """
    n, c, h, w = images.shape
    pad = max_shift
    padded = np.empty((n, c, h + 2 * pad, w + 2 * pad), images.dtype)  # (N, C, H+2p, W+2p)
    padded[...] = fill.reshape(1, c, 1, 1)
    padded[:, :, pad:pad + h, pad:pad + w] = images
    dy, dx = rng.integers(0, 2 * pad + 1, size=(2, n))
    rows = (dy[:, None] + np.arange(h))[:, None, :, None]                # (N, 1, H, 1)
    cols = (dx[:, None] + np.arange(w))[:, None, None, :]                # (N, 1, 1, W)
    return padded[np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], rows, cols]
