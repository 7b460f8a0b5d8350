"""Item previews for browsers: a small image and its class, without decoding what is not shown.

A dataset's ``__getitem__`` decodes the whole image and its mask; a 72 px tile of a
1918x1280 Carvana photo needs neither. Image files are decoded reduced (libjpeg's
1/8 scale for JPEGs) and masks are not read; packed formats (MNIST, CIFAR) are in
memory already and take the ordinary path.
"""

from __future__ import annotations

import numpy as np

from core.data.base import Dataset
from core.data.decode import decode_thumbnail
from core.errors import DataError


def preview(dataset: Dataset, index: int, max_side: int) -> tuple[np.ndarray, int | None]:
    """(uint8 image, class index or None) for item ``index``; the image's longer side is at
    most ``max_side`` when it came from a file (packed images come back at their own size).

    The class is None for segmentation and unlabelled items. Raises what reading the
    item raises (``DataError`` for a bad file)."""
    path = dataset.item_path(index)
    labels = getattr(dataset, "labels", None)
    if path is not None and (dataset.kind == "segmentation" or labels is not None):
        try:
            image = decode_thumbnail(path, max_side)
        except DataError:
            image = None  # not an image file itself (e.g. labelme JSON): the dataset knows
        if image is not None:
            return image, None if labels is None else int(labels[index])
    sample = dataset[index]
    label = sample.target if isinstance(sample.target, (int, np.integer)) else None
    return np.asarray(sample.image), None if label is None else int(label)


__all__ = ["preview"]
