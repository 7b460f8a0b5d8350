"""``open_dataset``: one entry point that detects which format a path holds."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from core.data.base import Dataset
from core.data.carvana import is_carvana_folder, open_carvana
from core.data.cifar import find_cifar_folder, open_cifar10
from core.data.demo import DEMO_TASKS, demo_dataset
from core.data.folder import open_folder
from core.data.mnist import find_mnist_folder, open_mnist
from core.errors import DataError


def _label_reader(name: str) -> Callable[[Path, int], Dataset]:
    """A reader of core/labels, imported on first use: core.labels builds on core.data."""
    def open_labels(root: Path, seed: int = 0) -> Dataset:
        from core.labels.detect import LABEL_READERS

        return LABEL_READERS[name](root, seed)
    return open_labels


READERS: dict[str, Callable[[Path, int], Dataset]] = {
    "mnist": open_mnist,
    "cifar10": open_cifar10,
    "carvana": open_carvana,
    "folder": open_folder,
    **{name: _label_reader(name) for name in ("coco", "voc", "yolo-seg", "labelme", "label-studio")},
}


def open_dataset(path: str | Path | None = None, task: str | None = None, seed: int = 0) -> Dataset:
    """The dataset at ``path`` (format detected, or forced by ``task``).

    ``path=None`` gives the built-in demo data of ``task`` (default mnist).
    Raises DataError with one line naming the file when the data is unusable.
    """
    if task is not None and task not in READERS:
        raise DataError(None, f"unknown task {task!r}; choose one of {', '.join(READERS)}")
    if path is None:
        task = task or "mnist"
        if task not in DEMO_TASKS:
            raise DataError(None, f"task {task!r} has no demo data; pass a dataset path with --data")
        return demo_dataset(task, seed=seed)
    root = Path(path).expanduser()
    if not root.exists():
        raise DataError(root, "no such file or folder")
    if root.is_file():
        if not is_dataset_file(root.name):
            raise DataError(root, "is a file; pass the folder that holds the dataset")
        root = root.parent  # e.g. a path to train-images-idx3-ubyte or data_batch_1
        if root.name == "annotations" and root.parent.is_dir():
            root = root.parent  # COCO's annotations/instances_*.json stands for the folder above
    return READERS[task or detect_task(root)](root, seed)


def is_dataset_file(name: str) -> bool:
    """Files that stand for their folder: MNIST IDX files, CIFAR batches, Carvana's CSV, label
    files (a COCO or labelme JSON, YOLO's data.yaml, CVAT's labelmap.txt)."""
    return ("-idx" in name or ".idx" in name or name.startswith(("data_batch_", "test_batch"))
            or name in ("batches.meta", "train_masks.csv", "data.yaml", "labelmap.txt") or name.endswith(".json"))


def detect_task(root: Path) -> str:
    """Which reader understands the folder ``root``: mnist, cifar10, carvana or folder."""
    if find_mnist_folder(root) is not None:
        return "mnist"
    if find_cifar_folder(root) is not None:
        return "cifar10"
    if is_carvana_folder(root):
        return "carvana"
    from core.labels.detect import detect_label_format  # core.labels builds on core.data: import late

    return detect_label_format(root) or "folder"
