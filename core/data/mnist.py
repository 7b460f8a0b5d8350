"""MNIST from its IDX files (plain or .gz), in a folder or torchvision's ``MNIST/raw/``.

IDX: a big-endian header ``0x00 0x00 <type> <ndims>`` then ``ndims`` uint32
sizes, then the data. We accept only unsigned bytes (type 0x08): 1-D labels
and 3-D images, and check the file length against the header so a truncated
download is reported instead of silently read.
"""

from __future__ import annotations

import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

from core import limits
from core.data.base import ArrayDataset
from core.data.splits import packed_splits
from core.errors import DataError

CLASS_NAMES = [str(digit) for digit in range(10)]
UBYTE = 0x08
FILES = {  # part -> (images stem, labels stem)
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def read_idx(path: str | Path, ndim: int) -> np.ndarray:
    """The uint8 array stored in IDX file ``path``, which must have ``ndim`` dimensions.

    The header's declared size is checked against ``core.limits`` and the file's
    length before the payload is read; a ``.gz`` is streamed into one buffer of
    exactly the declared size, so a decompression bomb stops at its header.
    """
    path = Path(path)
    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as handle:
            shape = _read_header(handle, path, ndim)
            payload = _check_declared(path, shape, 4 + 4 * ndim)
            data = bytearray(payload)
            got = 0
            while got < payload:
                more = handle.readinto(memoryview(data)[got:])
                if not more:
                    break
                got += more
            extra = len(handle.read(1))
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise DataError(path, f"corrupt or truncated gzip file ({error})") from None
    except OSError as error:
        raise DataError(path, f"cannot read file ({error.strerror or error})") from None
    if got < payload or extra:
        problem = "truncated" if got < payload else "longer than its header says"
        raise DataError(path, f"IDX file is {problem}: header {shape} needs {payload:,} bytes of data")
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


def _read_header(handle, path: Path, ndim: int) -> tuple[int, ...]:
    magic = handle.read(4)
    if len(magic) < 4:
        raise DataError(path, f"file is {len(magic)} bytes, too short for an IDX header")
    if magic[0] != 0 or magic[1] != 0 or magic[2] != UBYTE:
        raise DataError(path, f"not an IDX ubyte file (magic number 0x{magic.hex()})")
    if magic[3] != ndim:
        raise DataError(path, f"IDX file has {magic[3]} dimensions, expected {ndim}")
    sizes = handle.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise DataError(path, "IDX header is truncated")
    return struct.unpack(f">{ndim}I", sizes)


def _check_declared(path: Path, shape: tuple[int, ...], header: int) -> int:
    """Payload bytes the header declares (a Python int: no overflow), within the limits."""
    payload = math.prod(shape)
    limit = limits.ARRAY_BYTES.value()
    if payload > limit:
        raise DataError(path, f"IDX header declares {shape} = {payload:,} bytes, above the limit of "
                              f"{limit:,} ({limits.ARRAY_BYTES.hint()})")
    size = path.stat().st_size
    if path.suffix != ".gz":
        if size != header + payload:
            problem = "truncated" if size < header + payload else "longer than its header says"
            raise DataError(path, f"IDX file is {problem}: {size:,} bytes, header {shape} needs "
                                  f"{header + payload:,}")
    elif payload > limits.GZIP_RATIO.value() * size + (1 << 20):
        raise DataError(path, f"IDX header declares {payload:,} bytes from {size:,} compressed bytes, "
                              f"more than {limits.GZIP_RATIO.value()}x ({limits.GZIP_RATIO.hint()})")
    return payload


def find_idx_file(folder: Path, stem: str) -> Path | None:
    """``stem`` in ``folder``: plain, ``.gz``, or the ``train-images.idx3-ubyte`` spelling."""
    dotted = stem.replace("-idx", ".idx", 1)
    for name in (stem, stem + ".gz", dotted, dotted + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def find_mnist_folder(root: Path) -> Path | None:
    """The folder under ``root`` holding the training IDX files, if any."""
    for folder in (root, root / "raw", root / "MNIST" / "raw"):
        if folder.is_dir() and find_idx_file(folder, FILES["train"][0]):
            return folder
    return None


def _read_part(folder: Path, part: str) -> tuple[np.ndarray, np.ndarray] | None:
    images_stem, labels_stem = FILES[part]
    images_path = find_idx_file(folder, images_stem)
    labels_path = find_idx_file(folder, labels_stem)
    if images_path is None and labels_path is None and part == "test":
        return None
    if images_path is None or labels_path is None:
        missing = images_stem if images_path is None else labels_stem
        raise DataError(folder / missing, f"missing (MNIST needs both {images_stem} and {labels_stem})")
    images, labels = read_idx(images_path, 3), read_idx(labels_path, 1)
    if len(images) != len(labels):
        raise DataError(labels_path, f"{len(labels)} labels for {len(images)} images in {images_path.name}")
    if labels.size and labels.max() > 9:
        raise DataError(labels_path, f"label {int(labels.max())} is not a digit 0..9")
    return images, labels


def open_mnist(root: str | Path, seed: int = 0) -> ArrayDataset:
    """MNIST at ``root``: train file -> train/val (10% seeded), t10k -> test."""
    root = Path(root)
    folder = find_mnist_folder(root)
    if folder is None:
        raise DataError(root, f"no MNIST files here (looked for {FILES['train'][0]}[.gz] "
                              "in the folder, raw/ and MNIST/raw/)")
    train_images, train_labels = _read_part(folder, "train")
    test = _read_part(folder, "test")
    test_images, test_labels = test if test is not None else (train_images[:0], train_labels[:0])
    images = np.concatenate([train_images, test_images])
    labels = np.concatenate([train_labels, test_labels]).astype(np.int64)
    ids = [f"train/{i:05d}" for i in range(len(train_images))] + \
          [f"test/{i:05d}" for i in range(len(test_images))]
    splits = packed_splits(len(train_images), len(test_images), seed)
    return ArrayDataset(images=images, targets=labels, kind="classification", format="mnist-idx",
                        task="mnist", class_names=list(CLASS_NAMES), splits=splits, ids=ids,
                        root=str(folder))
