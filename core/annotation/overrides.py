"""User masks win over dataset masks: a dataset wrapper the trainer uses.

``with_mask_overrides(dataset, folder)`` behaves like ``dataset`` except that
items with a saved user mask get it as their target. ``changed_pixels(i)``
says where the user's mask differs from the dataset's original one, so the
loss can weight the user's corrections up.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from core.annotation.storage import MaskStore, read_user_mask
from core.data.base import Sample
from core.errors import DataError


class MaskOverrideDataset:
    """``dataset`` with targets replaced by the user's masks where they exist."""

    def __init__(self, dataset, folder: str | Path):
        if getattr(dataset, "kind", None) != "segmentation":
            raise DataError(folder, "mask overrides need a segmentation dataset")
        self.dataset = dataset
        self.folder = Path(folder)
        self.kind = dataset.kind
        self.format = dataset.format
        self.task = dataset.task
        self.class_names = dataset.class_names
        self.splits = dataset.splits
        self.root = dataset.root
        self._store = MaskStore(folder)
        self._paths = {i: self._store.saved_path(dataset.item_id(i)) for i in range(len(dataset))}
        self.overridden = {i for i, path in self._paths.items() if path is not None}

    def __len__(self) -> int:
        return len(self.dataset)

    def item_id(self, index: int) -> str:
        return self.dataset.item_id(index)

    def item_path(self, index: int) -> str | None:
        return self.dataset.item_path(index)

    def has_override(self, index: int) -> bool:
        return self._normal(index) in self.overridden

    def _normal(self, index: int) -> int:
        return index + len(self) if index < 0 else index

    def _user_mask(self, index: int, shape: tuple[int, int]) -> np.ndarray:
        path = self._paths[self._normal(index)]
        mask = read_user_mask(path, binary=len(self.class_names) == 2)
        if mask.shape != shape:
            raise DataError(path, f"mask is {mask.shape[1]}x{mask.shape[0]} but its image is {shape[1]}x{shape[0]}")
        return mask

    def __getitem__(self, index: int) -> Sample:
        sample = self.dataset[index]
        if not self.has_override(index):
            return sample
        return replace(sample, target=self._user_mask(index, sample.image.shape[:2]))

    def changed_pixels(self, index: int) -> np.ndarray | None:
        """bool (H, W): where the user's mask differs from the dataset's (None: no user mask).

        An item the dataset left unlabelled counts as changed everywhere.
        """
        if not self.has_override(index):
            return None
        sample = self.dataset[index]
        user = self._user_mask(index, sample.image.shape[:2])
        if sample.target is None:
            return np.ones(user.shape, bool)
        return user != np.asarray(sample.target, np.uint8)


def with_mask_overrides(dataset, folder: str | Path | None) -> MaskOverrideDataset:
    """Wrap ``dataset`` so the user's saved masks in ``folder`` take precedence."""
    if folder is None:
        raise DataError(None, "no masks folder given for mask overrides")
    if not Path(folder).is_dir():
        raise DataError(folder, "masks folder does not exist")
    return MaskOverrideDataset(dataset, folder)
