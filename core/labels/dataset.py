"""The Dataset every label format opens as: image files plus a per-item mask source.

Opening a label format parses its annotation files (they are small next to the
images) and lists image paths; pixels and masks are decoded on access, like the
other readers. Objects become one class-id mask per image (uint8, 0 background,
1..K the classes in ``class_names[1:]``).

Overlap rule: objects are painted in file order and a **later object wins**
where two overlap, as labelme, CVAT and most painters draw them (the last shape
is on top). Writers never produce overlaps, so the rule only matters for
files made elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol

import numpy as np

from core.data.base import Sample
from core.data.images import read_image
from core.errors import DataError

MAX_IMAGE_PIXELS = 1 << 28          # 268 M pixels (16k x 16k): larger sizes in a label file are refused
MAX_ANNOTATION_BYTES = 2 << 30      # a label file larger than 2 GiB is refused before it is read
MAX_CLASSES = 255                   # masks are uint8 and 255 is VOC's "void"
BACKGROUND = "background"


class MaskSource(Protocol):
    """Where one format keeps the objects of item ``index``."""

    def has_mask(self, index: int) -> bool: ...

    def mask(self, index: int, height: int, width: int) -> np.ndarray: ...


def paint(objects: Iterable[tuple[int, np.ndarray]], height: int, width: int) -> np.ndarray:
    """Class-id mask of ``(class index, 0/1 mask)`` pairs; later objects win overlaps."""
    labels = np.zeros((height, width), np.uint8)
    for class_index, object_mask in objects:
        labels[np.asarray(object_mask) != 0] = class_index
    return labels


def check_image_size(path: str | Path, width, height) -> tuple[int, int]:
    """``(width, height)`` as ints, or a DataError when missing, non-positive or too large."""
    try:
        width, height = int(width), int(height)
    except (TypeError, ValueError):
        raise DataError(path, f"image size {width!r}x{height!r} is not a pair of integers") from None
    if width <= 0 or height <= 0:
        raise DataError(path, f"image size {width}x{height} must be positive")
    if width * height > MAX_IMAGE_PIXELS:
        raise DataError(path, f"image size {width}x{height} exceeds the {MAX_IMAGE_PIXELS:,}-pixel limit")
    return width, height


def check_class_count(path: str | Path, names: list[str]) -> list[str]:
    if len(names) > MAX_CLASSES:
        raise DataError(path, f"{len(names)} classes; masks hold at most {MAX_CLASSES} (with background)")
    return names


def report_missing(where: str | Path, missing: list[str], total: int) -> None:
    """One line: how many images a label file names that are not on disk, and the first."""
    if missing:
        raise DataError(where, f"{len(missing)} of {total} image(s) it lists are missing, "
                               f"first: {missing[0]}")


@dataclass
class LabelDataset:
    """Segmentation dataset over image files whose masks come from a label format."""

    image_paths: list[Path]
    ids: list[str]
    format: str
    class_names: list[str]
    splits: dict[str, np.ndarray]
    root: str | None
    source: MaskSource
    image_numbers: list[int] | None = None  # COCO image ids, kept so an export can reuse them
    category_ids: list[int] | None = None   # COCO category id of class 1..K, likewise
    kind: str = "segmentation"
    task: str = "folder"

    def __len__(self) -> int:
        return len(self.image_paths)

    def __getitem__(self, index: int) -> Sample:
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        path = self.image_paths[index]
        image = read_image(path)
        target = None
        if self.source.has_mask(index):
            target = self.source.mask(index, image.shape[0], image.shape[1])
        return Sample(image, target, self.ids[index], str(path))

    def has_target(self, index: int) -> bool:
        return self.source.has_mask(index)

    def item_id(self, index: int) -> str:
        return self.ids[index]

    def item_path(self, index: int) -> str | None:
        return str(self.image_paths[index])
