"""Deterministic train/val/test splits.

Random splits live in ``base.random_split``; this module adds the ones that
readers need: splitting by group (a car's views stay together, or validation
scores leak) and carving a validation set out of a fixed training file.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from core.data.base import random_split

DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)


def grouped_split(groups: Sequence[str], fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
                  seed: int = 0) -> dict[str, np.ndarray]:
    """Split item indices so that all items of one group land in the same split.

    Groups (not items) are shuffled and dealt out by ``fractions``; with three
    or more groups every split gets at least one. With fewer groups (one car's
    16 views) they cannot be kept apart: the items are split instead, so that
    training still gets a validation set (its scores are then optimistic).
    """
    names = sorted(set(groups))
    if len(names) < 3:
        return shuffled_split(len(groups), fractions, seed)
    group_split = random_split(len(names), fractions, seed)
    if len(names) >= 3:
        group_split = _ensure_nonempty(group_split)
    split_of = {}
    for split, group_indices in group_split.items():
        for group_index in group_indices:
            split_of[names[int(group_index)]] = split
    result = {split: [] for split in group_split}
    for index, group in enumerate(groups):
        result[split_of[group]].append(index)
    return {split: np.asarray(indices, dtype=np.int64) for split, indices in result.items()}


def shuffled_split(n: int, fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
                   seed: int = 0) -> dict[str, np.ndarray]:
    """``random_split`` that never leaves val empty from 2 items up, nor test from 3 up."""
    split = random_split(n, fractions, seed)
    if n >= 3:
        return _ensure_nonempty(split)
    return _ensure_nonempty(split, ("val",)) if n == 2 else split


def _ensure_nonempty(split: dict[str, np.ndarray],
                     names: tuple[str, ...] = ("val", "test")) -> dict[str, np.ndarray]:
    """Move one entry from the largest split into any empty one (tiny datasets)."""
    split = {name: list(indices) for name, indices in split.items()}
    for name in names:
        if not split[name]:
            donor = max(split, key=lambda key: len(split[key]))
            split[name].append(split[donor].pop())
    return {name: np.asarray(sorted(indices), dtype=np.int64) for name, indices in split.items()}


def train_val_split(n_train: int, n_test: int, val_fraction: float = 0.1,
                    seed: int = 0) -> dict[str, np.ndarray]:
    """Indices for a dataset stored as ``n_train`` training items then ``n_test`` test items.

    A seeded ``val_fraction`` of the training items becomes the validation split;
    the test file stays the test split.
    """
    order = np.random.default_rng(seed).permutation(n_train)
    n_val = int(round(val_fraction * n_train)) if n_train > 1 else 0
    return {
        "train": np.sort(order[n_val:]).astype(np.int64),
        "val": np.sort(order[:n_val]).astype(np.int64),
        "test": np.arange(n_train, n_train + n_test, dtype=np.int64),
    }


def stratified_split(labels: Sequence[int], fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
                     seed: int = 0) -> dict[str, np.ndarray]:
    """Random split that keeps each class's share roughly equal in every split."""
    labels = np.asarray(labels)
    parts: dict[str, list[np.ndarray]] = {"train": [], "val": [], "test": []}
    for offset, label in enumerate(np.unique(labels)):
        members = np.flatnonzero(labels == label)
        for split, indices in random_split(len(members), fractions, seed + offset).items():
            parts[split].append(members[indices])
    result = {split: np.sort(np.concatenate(chunks)).astype(np.int64) if chunks
              else np.zeros(0, dtype=np.int64) for split, chunks in parts.items()}
    return _ensure_nonempty(result) if len(labels) >= 3 else result


def packed_splits(n_train: int, n_test: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Splits of a packed dataset stored as training items then test items.

    With a test file: 10% of the training items (seeded) become validation.
    Without one: the training items are split 80/10/10.
    """
    if n_test == 0:
        return shuffled_split(n_train, DEFAULT_FRACTIONS, seed)
    return train_val_split(n_train, n_test, seed=seed)
