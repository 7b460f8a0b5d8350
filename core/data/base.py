"""The one protocol every dataset follows, whatever its on-disk format.

An item is ``Sample(image, target, item_id, path)``:
- ``image``: uint8, (H, W) grey or (H, W, 3) RGB;
- ``target``: class index (int) for classification, uint8 (H, W) mask for
  segmentation (0 background, 1..K objects; binary masks use 0/1), or None
  when the item has no label;
- ``item_id``: a stable name (file stem, or ``"train/00042"`` for packed files);
- ``path``: the file the image came from, or None for packed formats.

Splits are deterministic index arrays keyed ``"train"``, ``"val"``, ``"test"``.
Readers are lazy: opening a dataset reads headers and file lists, not pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, Sequence, runtime_checkable

import numpy as np

TaskKind = Literal["classification", "segmentation"]
SPLIT_NAMES = ("train", "val", "test")


@dataclass(frozen=True)
class Sample:
    image: np.ndarray
    target: int | np.ndarray | None
    item_id: str
    path: str | None = None


@runtime_checkable
class Dataset(Protocol):
    """What readers, demo data, trainers and the GUI agree on."""

    kind: TaskKind                 # classification or segmentation
    format: str                    # "mnist-idx", "cifar10-python", "carvana", "folder-classes", ...
    task: str                      # product task: "mnist", "cifar10", "carvana" or "folder"
    class_names: list[str]         # for segmentation: ["background", "object", ...]
    splits: dict[str, np.ndarray]  # split name -> int64 indices into this dataset
    root: str | None               # folder it was opened from (None for demo data)

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> Sample: ...

    def item_id(self, index: int) -> str: ...

    def item_path(self, index: int) -> str | None: ...


class SplitView:
    """A dataset restricted to one split's indices (same protocol, fewer items)."""

    def __init__(self, dataset: Dataset, indices: Sequence[int] | np.ndarray, split: str):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)
        self.split = split
        self.kind = dataset.kind
        self.format = dataset.format
        self.task = dataset.task
        self.class_names = dataset.class_names
        self.root = dataset.root
        self.splits = {split: np.arange(len(self.indices), dtype=np.int64)}

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> Sample:
        return self.dataset[int(self.indices[index])]

    def item_id(self, index: int) -> str:
        return self.dataset.item_id(int(self.indices[index]))

    def item_path(self, index: int) -> str | None:
        return self.dataset.item_path(int(self.indices[index]))


def split_view(dataset: Dataset, split: str) -> SplitView:
    """``dataset`` restricted to ``split``; a clear error if it has no such split."""
    if split not in dataset.splits:
        raise KeyError(f"dataset has no split {split!r}; it has {sorted(dataset.splits)}")
    return SplitView(dataset, dataset.splits[split], split)


def random_split(n: int, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
                 seed: int = 0) -> dict[str, np.ndarray]:
    """Deterministic shuffled split of ``range(n)`` into train/val/test."""
    order = np.random.default_rng(seed).permutation(n)
    n_train = int(round(fractions[0] * n))
    n_val = int(round(fractions[1] * n))
    return {
        "train": np.sort(order[:n_train]),
        "val": np.sort(order[n_train:n_train + n_val]),
        "test": np.sort(order[n_train + n_val:]),
    }


@dataclass
class ArrayDataset:
    """An in-memory dataset (demo data, decoded packed files, tests)."""

    images: np.ndarray | list[np.ndarray]
    targets: np.ndarray | list | None
    kind: TaskKind
    format: str
    task: str
    class_names: list[str]
    splits: dict[str, np.ndarray] = field(default_factory=dict)
    ids: list[str] | None = None
    root: str | None = None

    def __post_init__(self) -> None:
        if self.targets is not None and len(self.targets) != len(self.images):
            raise ValueError(f"{len(self.images)} images but {len(self.targets)} targets")
        if not self.splits:
            self.splits = random_split(len(self.images))

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> Sample:
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        target = None if self.targets is None else self.targets[index]
        if isinstance(target, np.integer):
            target = int(target)
        return Sample(self.images[index], target, self.item_id(index), None)

    def item_id(self, index: int) -> str:
        return self.ids[index] if self.ids is not None else f"{self.task}/{index:05d}"

    def item_path(self, index: int) -> str | None:
        return None
