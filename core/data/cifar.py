"""CIFAR-10 from the ``cifar-10-batches-py/`` folder of pickled batches.

The batches are Python 2 pickles of dicts (``data``: uint8 (N, 3072) arrays,
channel-major 32x32 planes; ``labels``; ``batch_label``; ``filenames``).
A pickle can run arbitrary code when loaded, so ``SafeUnpickler`` resolves only
the few globals those files contain (NumPy's array reconstruction); anything
else, such as ``os.system``, is refused before it can run.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from core.data.base import ArrayDataset
from core.data.splits import packed_splits
from core.errors import DataError

CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck"]
FOLDER_NAME = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{n}" for n in range(1, 6))
IMAGE_BYTES = 3 * 32 * 32


def _numpy_reconstruct():
    try:
        from numpy._core.multiarray import _reconstruct  # NumPy >= 2
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _numpy_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _numpy_reconstruct,
    ("numpy", "ndarray"): lambda: np.ndarray,
    ("numpy", "dtype"): lambda: np.dtype,
}


class SafeUnpickler(pickle.Unpickler):
    """Unpickler that refuses every global except NumPy array reconstruction."""

    def find_class(self, module: str, name: str) -> Any:
        resolve = ALLOWED_GLOBALS.get((module, name))
        if resolve is None:
            raise pickle.UnpicklingError(f"refused to load {module}.{name}")
        return resolve()


def load_batch(path: str | Path) -> dict[str, Any]:
    """One batch file as a dict with ``str`` keys, loaded with ``SafeUnpickler``."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise DataError(path, f"cannot read file ({error.strerror or error})") from None
    try:
        obj = SafeUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except pickle.UnpicklingError as error:
        raise DataError(path, f"unsafe or invalid pickle: {error}") from None
    except Exception as error:  # truncated or garbled files fail in many ways
        raise DataError(path, f"not a readable CIFAR pickle ({type(error).__name__}: {error})") from None
    if not isinstance(obj, dict):
        raise DataError(path, f"expected a pickled dict, found {type(obj).__name__}")
    return {key.decode("latin1") if isinstance(key, bytes) else str(key): value
            for key, value in obj.items()}


def read_batch(path: Path, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 32, 32, 3) uint8 RGB and labels (N,) int64 of one data batch."""
    batch = load_batch(path)
    data, labels = batch.get("data"), batch.get("labels")
    if not isinstance(data, np.ndarray) or labels is None:
        raise DataError(path, "batch lacks 'data' array or 'labels'")
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != IMAGE_BYTES:
        raise DataError(path, f"'data' is {data.dtype} {data.shape}, expected uint8 (N, {IMAGE_BYTES})")
    labels = np.asarray(labels, dtype=np.int64)
    if labels.shape != (len(data),):
        raise DataError(path, f"{labels.size} labels for {len(data)} images")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise DataError(path, f"label {int(labels.max())} outside 0..{n_classes - 1}")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # (N, 3, H, W) -> (N, H, W, 3)
    return np.ascontiguousarray(images), labels


def read_label_names(folder: Path) -> list[str]:
    path = folder / "batches.meta"
    if not path.exists():
        return list(CLASS_NAMES)
    names = load_batch(path).get("label_names")
    if not isinstance(names, list) or not names:
        raise DataError(path, "no 'label_names' list")
    return [n.decode("utf-8") if isinstance(n, bytes) else str(n) for n in names]


def find_cifar_folder(root: Path) -> Path | None:
    """``root`` or ``root/cifar-10-batches-py`` if it holds CIFAR batches."""
    for folder in (root, root / FOLDER_NAME):
        if folder.is_dir() and any((folder / name).is_file() for name in TRAIN_BATCHES):
            return folder
    return None


def open_cifar10(root: str | Path, seed: int = 0) -> ArrayDataset:
    """CIFAR-10 at ``root``: data_batch_1..5 -> train/val (10% seeded), test_batch -> test."""
    root = Path(root)
    folder = find_cifar_folder(root)
    if folder is None:
        raise DataError(root, f"no CIFAR-10 batches here (looked for data_batch_1..5 "
                              f"in the folder and {FOLDER_NAME}/)")
    class_names = read_label_names(folder)
    parts = [read_batch(folder / name, len(class_names))
             for name in TRAIN_BATCHES if (folder / name).is_file()]
    train_images = np.concatenate([images for images, _ in parts])
    train_labels = np.concatenate([labels for _, labels in parts])
    if (folder / "test_batch").is_file():
        test_images, test_labels = read_batch(folder / "test_batch", len(class_names))
    else:
        test_images, test_labels = train_images[:0], train_labels[:0]
    ids = [f"train/{i:05d}" for i in range(len(train_images))] + \
          [f"test/{i:05d}" for i in range(len(test_images))]
    return ArrayDataset(images=np.concatenate([train_images, test_images]),
                        targets=np.concatenate([train_labels, test_labels]),
                        kind="classification", format="cifar10-python", task="cifar10",
                        class_names=class_names, ids=ids, root=str(folder),
                        splits=packed_splits(len(train_images), len(test_images), seed))
