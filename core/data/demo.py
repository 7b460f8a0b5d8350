"""Built-in demo datasets: generated in code, deterministic from a seed, offline.

They stand in for the three real datasets so the app trains on a fresh machine
in seconds, and are hard enough that a broken model visibly fails.
"""

from __future__ import annotations

import numpy as np

from core.data import demo_cars, demo_digits, demo_objects
from core.data.base import ArrayDataset
from core.data.splits import grouped_split, shuffled_split



def digits_demo(size: int = 3000, seed: int = 0) -> ArrayDataset:
    """MNIST's stand-in: drawn digits 0-9, 28x28 grey."""
    images, labels = demo_digits.make_digits(size, seed)
    return _classification(images, labels, "mnist", demo_digits.CLASS_NAMES, seed)


def objects_demo(size: int = 3000, seed: int = 0) -> ArrayDataset:
    """CIFAR-10's stand-in: ten kinds of drawn objects, 32x32 colour."""
    images, labels = demo_objects.make_objects(size, seed)
    return _classification(images, labels, "cifar10", demo_objects.CLASS_NAMES, seed)


def cars_demo(size: int = 96, seed: int = 0) -> ArrayDataset:
    """Carvana's stand-in: cars with masks, split by car so views of one car stay together."""
    images, masks, ids = demo_cars.make_cars(size, seed)
    car_ids = [item_id.rsplit("_", 1)[0] for item_id in ids]
    return ArrayDataset(images=images, targets=masks, kind="segmentation", format="demo",
                        task="carvana", class_names=list(demo_cars.CLASS_NAMES),
                        splits=grouped_split(car_ids, seed=seed), ids=ids)


# The demo factories by task name (core.tasks points each TaskSpec at the same function).
DEMOS = {"mnist": digits_demo, "cifar10": objects_demo, "carvana": cars_demo}
DEMO_TASKS = tuple(DEMOS)


def demo_dataset(task: str = "mnist", size: int | None = None, seed: int = 0) -> ArrayDataset:
    """The demo stand-in for ``task`` with ``size`` items (default: the factory's).

    The same (task, size, seed) always gives the same pixels and splits.
    """
    if task not in DEMOS:
        raise ValueError(f"no demo data for task {task!r}; choose one of {', '.join(DEMO_TASKS)}")
    if size is None:
        return DEMOS[task](seed=seed)
    if int(size) < 1:
        raise ValueError(f"demo size must be >= 1, got {size}")
    return DEMOS[task](int(size), seed)


def _classification(images: np.ndarray, labels: np.ndarray, task: str,
                    class_names: list[str], seed: int) -> ArrayDataset:
    ids = [f"demo/{index:05d}" for index in range(len(images))]
    return ArrayDataset(images=images, targets=labels, kind="classification", format="demo",
                        task=task, class_names=list(class_names),
                        splits=shuffled_split(len(images), seed=seed), ids=ids)
