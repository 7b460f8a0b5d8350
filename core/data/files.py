"""A lazy dataset over image files: opening lists paths, items decode on access."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.data.base import Sample, TaskKind
from core.data.images import read_image
from core.data.masks import check_mask_size, check_mask_values, read_mask
from core.data.rle import rle_decode
from core.errors import DataError


@dataclass
class FileDataset:
    """Images on disk with a class label, a mask file, a run-length mask, or nothing.

    Exactly one of ``labels``/``mask_paths``/``mask_rles`` is used for targets;
    items without one have ``target=None`` (unlabelled, e.g. to annotate).
    """

    image_paths: list[Path]
    kind: TaskKind
    format: str
    task: str
    class_names: list[str]
    splits: dict[str, np.ndarray]
    root: str | None
    labels: list[int] | None = None
    mask_paths: list[Path | None] | None = None
    mask_rles: list[str | None] | None = None
    ids: list[str] = field(default_factory=list)
    rle_source: Path | None = None  # the CSV the run-length masks came from

    def __post_init__(self) -> None:
        if not self.ids:
            self.ids = [path.stem for path in self.image_paths]

    def __len__(self) -> int:
        return len(self.image_paths)

    def __getitem__(self, index: int) -> Sample:
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        path = self.image_paths[index]
        image = read_image(path)
        return Sample(image, self._target(index, image), self.ids[index], str(path))

    def _target(self, index: int, image: np.ndarray) -> int | np.ndarray | None:
        if self.labels is not None:
            return self.labels[index]
        if self.mask_paths is not None and self.mask_paths[index] is not None:
            mask_path = self.mask_paths[index]
            mask = read_mask(mask_path)
            check_mask_size(mask, image, mask_path)
            check_mask_values(mask, self.class_names, mask_path)
            return mask
        if self.mask_rles is not None and self.mask_rles[index] is not None:
            try:
                return rle_decode(self.mask_rles[index], image.shape[:2])
            except ValueError as error:
                raise DataError(self.rle_source, f"mask of {self.image_paths[index].name}: {error}") from None
        return None

    def has_target(self, index: int) -> bool:
        """Whether item ``index`` is labelled, without decoding anything."""
        if self.labels is not None:
            return True
        if self.mask_paths is not None and self.mask_paths[index] is not None:
            return True
        return self.mask_rles is not None and self.mask_rles[index] is not None

    def mask_path(self, index: int) -> str | None:
        """The mask file of item ``index`` (None for run-length or missing masks)."""
        if self.mask_paths is None or self.mask_paths[index] is None:
            return None
        return str(self.mask_paths[index])

    def item_id(self, index: int) -> str:
        return self.ids[index]

    def item_path(self, index: int) -> str | None:
        return str(self.image_paths[index])
