"""Built-in demo datasets: generated in code, deterministic from a seed, offline.

They stand in for the three real datasets so the app trains on a fresh machine
in seconds, and are hard enough that a broken model visibly fails.
"""

from __future__ import annotations

import numpy as np

from core.data import demo_cars, demo_digits, demo_objects
from core.data.base import ArrayDataset
from core.data.splits import grouped_split, shuffled_split

DEMO_TASKS = ("mnist", "cifar10", "carvana")
DEFAULT_SIZES = {"mnist": 3000, "cifar10": 3000, "carvana": 96}


def demo_dataset(task: str = "mnist", size: int | None = None, seed: int = 0) -> ArrayDataset:
    """The demo stand-in for ``task`` with ``size`` items (default: ``DEFAULT_SIZES``).

    The same (task, size, seed) always gives the same pixels and splits.
    """
    if task not in DEMO_TASKS:
        raise ValueError(f"no demo data for task {task!r}; choose one of {', '.join(DEMO_TASKS)}")
    size = DEFAULT_SIZES[task] if size is None else int(size)
    if size < 1:
        raise ValueError(f"demo size must be >= 1, got {size}")
    if task == "mnist":
        images, labels = demo_digits.make_digits(size, seed)
        return _classification(images, labels, task, demo_digits.CLASS_NAMES, seed)
    if task == "cifar10":
        images, labels = demo_objects.make_objects(size, seed)
        return _classification(images, labels, task, demo_objects.CLASS_NAMES, seed)
    images, masks, ids = demo_cars.make_cars(size, seed)
    car_ids = [item_id.rsplit("_", 1)[0] for item_id in ids]
    return ArrayDataset(images=images, targets=masks, kind="segmentation", format="demo",
                        task=task, class_names=list(demo_cars.CLASS_NAMES),
                        splits=grouped_split(car_ids, seed=seed), ids=ids)


def _classification(images: np.ndarray, labels: np.ndarray, task: str,
                    class_names: list[str], seed: int) -> ArrayDataset:
    ids = [f"demo/{index:05d}" for index in range(len(images))]
    return ArrayDataset(images=images, targets=labels, kind="classification", format="demo",
                        task=task, class_names=list(class_names),
                        splits=shuffled_split(len(images), seed=seed), ids=ids)
