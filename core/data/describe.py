"""A dataset's vital signs as plain JSON-able data (for ``info`` and the GUI)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.data.base import Dataset
from core.errors import DataError

MASK_SAMPLE = 50


def describe(dataset: Dataset, mask_sample: int = MASK_SAMPLE) -> dict[str, Any]:
    """Task, format, kind, root, size, split sizes, first image's shape, class names,
    per-class counts when labels are cheap, and for masks the mean foreground
    fraction over an evenly spread sample (which also checks mask sizes)."""
    if len(dataset) == 0:
        raise DataError(dataset.root, "dataset is empty")
    first = dataset[0]
    info: dict[str, Any] = {
        "task": dataset.task,
        "format": dataset.format,
        "kind": dataset.kind,
        "root": dataset.root,
        "size": len(dataset),
        "splits": {name: int(len(indices)) for name, indices in dataset.splits.items()},
        "image_shape": list(first.image.shape),
        "image_dtype": str(first.image.dtype),
        "class_names": list(dataset.class_names),
    }
    if dataset.kind == "classification":
        counts = _class_counts(dataset)
        if counts is not None:
            info["class_counts"] = counts
    else:
        labelled = [i for i in range(len(dataset)) if _has_target(dataset, i)]
        info["labelled"] = len(labelled)
        info["mask_coverage"] = _mask_coverage(dataset, labelled, mask_sample)
    return info


def _has_target(dataset: Dataset, index: int) -> bool:
    has_target = getattr(dataset, "has_target", None)
    if has_target is not None:
        return bool(has_target(index))
    targets = getattr(dataset, "targets", None)
    return targets is not None and targets[index] is not None


def _class_counts(dataset: Dataset) -> list[int] | None:
    labels = getattr(dataset, "labels", None)
    if labels is None:
        labels = getattr(dataset, "targets", None)
    if labels is None:
        return None
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=len(dataset.class_names)).tolist()


def _mask_coverage(dataset: Dataset, labelled: list[int], sample: int) -> float | None:
    """Mean fraction of non-background pixels over up to ``sample`` labelled items."""
    if not labelled:
        return None
    picks = np.unique(np.linspace(0, len(labelled) - 1, min(sample, len(labelled))).round().astype(int))
    fractions = []
    for pick in picks:
        mask = dataset[labelled[pick]].target  # decoding also checks the mask's size
        fractions.append(np.count_nonzero(mask) / mask.size)
    return round(float(np.mean(fractions)), 6)
