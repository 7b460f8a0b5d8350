"""CIFAR-10 from the ``cifar-10-batches-py/`` folder of pickled batches.

The batches are Python 2 pickles of dicts (``data``: uint8 (N, 3072) arrays,
channel-major 32x32 planes; ``labels``; ``batch_label``; ``filenames``).
A pickle can run arbitrary code when loaded, so ``SafeUnpickler`` resolves only
the few globals those files contain (NumPy's array reconstruction, and for
batches re-pickled by Python 3 ``_codecs.encode`` with latin1 and NumPy's
``_frombuffer``), each wrapped so a declared shape cannot allocate more than
the file holds; anything else, such as ``os.system``, is refused before it runs.
Labels must be integers (not bools, floats or strings) inside the class range.
"""

from __future__ import annotations

import io
import math
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


def _numpy_function(module: str, name: str):
    import importlib

    for prefix in ("numpy._core", "numpy.core"):  # NumPy >= 2, then 1.x
        try:
            return getattr(importlib.import_module(f"{prefix}.{module}"), name)
        except (ImportError, AttributeError):
            continue
    raise pickle.UnpicklingError(f"this NumPy has no {module}.{name}")


def _checked_dtype(*args) -> np.dtype:
    dtype = np.dtype(*args)
    if dtype.hasobject:
        raise pickle.UnpicklingError("refused an object array (CIFAR arrays hold numbers)")
    return dtype


class _NdarrayName:
    """What the pickle gets for ``numpy.ndarray``: a name for ``_reconstruct`` only. The
    class itself would let REDUCE or NEWOBJ call ``ndarray(shape)`` with any shape."""


def _reconstruct(subtype, shape, dtype):
    """NumPy's array stub: real pickles pass shape (0,) and fill it from the payload by
    __setstate__, which checks the payload's length. A large shape here allocates memory
    the file never paid for (209 bytes -> 3.2 GB), so it is refused."""
    if not isinstance(subtype, _NdarrayName) or _nbytes(shape, np.dtype(dtype)) > 4096:
        raise pickle.UnpicklingError(f"refused an array stub of shape {shape!r}")
    return _numpy_function("multiarray", "_reconstruct")(np.ndarray, shape, dtype)


def _frombuffer(buffer, dtype, shape, order):
    """Protocol 5's array: the shape must match the bytes the file actually holds."""
    dtype = np.dtype(dtype)
    if dtype.hasobject or _nbytes(shape, dtype) != memoryview(buffer).nbytes:
        raise pickle.UnpicklingError(f"array shape {shape!r} does not match its {memoryview(buffer).nbytes} bytes")
    return _numpy_function("numeric", "_frombuffer")(buffer, dtype, shape, order)


def _latin1(text, encoding="latin1", errors="strict"):
    """Protocol 2 from Python 3 writes bytes as ``_codecs.encode(str, "latin1")``."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(f"refused _codecs.encode with {encoding!r}")
    return text.encode("latin1")


def _nbytes(shape, dtype: np.dtype) -> int:
    if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise pickle.UnpicklingError(f"invalid array shape {shape!r}")
    return math.prod(shape) * dtype.itemsize


ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy", "ndarray"): _NdarrayName(),
    ("numpy", "dtype"): _checked_dtype,
    ("_codecs", "encode"): _latin1,
}


class SafeUnpickler(pickle.Unpickler):
    """Unpickler that resolves only NumPy array reconstruction (size-checked) and latin1 bytes."""

    def find_class(self, module: str, name: str) -> Any:
        resolved = ALLOWED_GLOBALS.get((module, name))
        if resolved is None:
            raise pickle.UnpicklingError(f"refused to load {module}.{name}")
        return resolved


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
    labels = _labels(labels, path, len(data), n_classes)
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # (N, 3, H, W) -> (N, H, W, 3)
    return np.ascontiguousarray(images), labels


def _labels(labels: Any, path: Path, count: int, n_classes: int) -> np.ndarray:
    """int64 (N,) class indices; anything but integers in 0..n_classes-1 is refused."""
    if isinstance(labels, np.ndarray):
        if labels.dtype.kind not in "iu" or labels.ndim != 1:
            raise DataError(path, f"'labels' is a {labels.dtype} array, expected integers")
        values = labels.tolist()
    elif isinstance(labels, (list, tuple)):
        values = labels
    else:
        raise DataError(path, f"'labels' is {type(labels).__name__}, expected a list of integers")
    if len(values) != count:
        raise DataError(path, f"{len(values)} labels for {count} images")
    for index, value in enumerate(values):
        if type(value) is not int and not isinstance(value, np.integer):
            raise DataError(path, f"label {index} is {type(value).__name__}, expected an integer class index")
        if not 0 <= value < n_classes:
            raise DataError(path, f"label {index} is {value if abs(value) < 10**6 else 'huge'}, "
                                  f"outside 0..{n_classes - 1}")
    return np.asarray(values, dtype=np.int64).reshape(count)


def read_label_names(folder: Path) -> list[str]:
    path = folder / "batches.meta"
    if not path.exists():
        return list(CLASS_NAMES)
    names = load_batch(path).get("label_names")
    if not isinstance(names, list) or not names:
        raise DataError(path, "no 'label_names' list")
    if not all(isinstance(n, (bytes, str)) and len(n) <= 200 for n in names):
        raise DataError(path, "'label_names' must be short strings")
    names = [n.decode("utf-8", "replace") if isinstance(n, bytes) else n for n in names]
    duplicate = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if duplicate is not None:
        raise DataError(path, f"class name {duplicate!r} appears twice in 'label_names'")
    return names


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
