"""Write datasets in their real on-disk formats.

Tests, benchmarks and other engineers' fixtures use these to build small
MNIST/CIFAR-10/Carvana/folder datasets byte-for-byte like the originals, so the
readers are exercised on the real formats without a download. Every file is
written atomically.
"""

from __future__ import annotations

import csv
import gzip
import io
import pickle
import struct
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from core.atomic import atomic_write_bytes, atomic_write_text
from core.data.masks import write_mask
from core.data.rle import rle_encode


def idx_bytes(array: np.ndarray) -> bytes:
    """IDX encoding of a uint8 array: magic ``00 00 08 ndim``, big-endian sizes, data."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_mnist(folder: str | Path, train: tuple[np.ndarray, np.ndarray],
                test: tuple[np.ndarray, np.ndarray] | None = None, gz: bool = False) -> Path:
    """``train-*``/``t10k-*`` IDX files (``.gz`` when ``gz``) of (images (N,28,28), labels (N,))."""
    folder = Path(folder)
    parts = {"train": train} | ({"t10k": test} if test is not None else {})
    for prefix, (images, labels) in parts.items():
        for stem, array in ((f"{prefix}-images-idx3-ubyte", images), (f"{prefix}-labels-idx1-ubyte", labels)):
            data = idx_bytes(array)
            atomic_write_bytes(folder / (stem + ".gz" if gz else stem), gzip.compress(data) if gz else data)
    return folder


class Py2Pickler(pickle._Pickler):  # the pure-Python pickler lets us emit Python 2 opcodes
    """Pickles like Python 2's cPickle did for the CIFAR-10 files: str as byte strings,
    arrays through ``numpy.core.multiarray._reconstruct``."""

    dispatch = pickle._Pickler.dispatch.copy()

    def save_byte_string(self, obj: bytes | str) -> None:
        data = obj.encode("latin1") if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[bytes] = save_byte_string
    dispatch[str] = save_byte_string

    def save_global(self, obj, name=None) -> None:
        if getattr(obj, "__name__", None) == "_reconstruct":
            self.write(pickle.GLOBAL + b"numpy.core.multiarray\n_reconstruct\n")
            self.memoize(obj)
        else:
            super().save_global(obj, name)


def cifar_batch_bytes(obj: dict) -> bytes:
    buffer = io.BytesIO()
    Py2Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue()


def write_cifar10(folder: str | Path, batches: Sequence[tuple[np.ndarray, Sequence[int]]],
                  test: tuple[np.ndarray, Sequence[int]] | None = None,
                  label_names: Sequence[str] | None = None) -> Path:
    """A ``cifar-10-batches-py``-style folder: ``data_batch_<n>`` per (images (N,32,32,3), labels),
    ``test_batch`` and ``batches.meta``."""
    from core.data.cifar import CLASS_NAMES

    folder = Path(folder)
    named = [(f"data_batch_{n}", f"training batch {n} of 5", part) for n, part in enumerate(batches, 1)]
    if test is not None:
        named.append(("test_batch", "testing batch 1 of 1", test))
    for file_name, batch_label, (images, labels) in named:
        images = np.asarray(images, dtype=np.uint8)
        data = images.transpose(0, 3, 1, 2).reshape(len(images), -1)  # (N, H, W, 3) -> (N, 3072)
        atomic_write_bytes(folder / file_name, cifar_batch_bytes({
            b"batch_label": batch_label.encode(), b"labels": [int(v) for v in labels], b"data": data,
            b"filenames": [f"image_{i:05d}.png".encode() for i in range(len(images))]}))
    names = list(label_names or CLASS_NAMES)
    atomic_write_bytes(folder / "batches.meta", cifar_batch_bytes({
        b"num_cases_per_batch": 10000, b"label_names": [n.encode() for n in names], b"num_vis": 3072}))
    return folder


def write_image(path: str | Path, image: np.ndarray, quality: int = 95) -> None:
    """Write a uint8 grey or RGB image; format from the suffix."""
    array = np.asarray(image)
    if array.ndim == 3:
        array = cv2.cvtColor(array, cv2.COLOR_RGB2BGR)
    suffix = Path(path).suffix.lower()
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if suffix in (".jpg", ".jpeg") else []
    ok, encoded = cv2.imencode(suffix, array, params)
    if not ok:
        raise ValueError(f"OpenCV could not encode {path}")
    atomic_write_bytes(path, encoded.tobytes())


def write_gif_mask(path: str | Path, mask: np.ndarray) -> None:
    """A Carvana-style GIF mask (palette image, 0 black / 1 white) via Pillow."""
    from PIL import Image  # Pillow ships with torchvision; only needed to write GIFs

    image = Image.fromarray((np.asarray(mask) > 0).astype(np.uint8), mode="P")
    image.putpalette([0, 0, 0, 255, 255, 255] + [0, 0, 0] * 254)
    buffer = io.BytesIO()
    image.save(buffer, format="GIF")
    atomic_write_bytes(path, buffer.getvalue())


def write_carvana(folder: str | Path, images: Sequence[np.ndarray], masks: Sequence[np.ndarray],
                  ids: Sequence[str], gif: bool = True, csv_file: bool = False) -> Path:
    """Kaggle layout: ``train/<id>.jpg``, ``train_masks/<id>_mask.gif``, ``train_masks.csv``."""
    folder = Path(folder)
    for item_id, image, mask in zip(ids, images, masks):
        write_image(folder / "train" / f"{item_id}.jpg", image)
        if gif:
            write_gif_mask(folder / "train_masks" / f"{item_id}_mask.gif", mask)
    if csv_file:
        lines = io.StringIO()
        writer = csv.writer(lines, lineterminator="\n")
        writer.writerow(["img", "rle_mask"])
        writer.writerows([f"{item_id}.jpg", rle_encode(mask)] for item_id, mask in zip(ids, masks))
        atomic_write_text(folder / "train_masks.csv", lines.getvalue())
    return folder


def write_mask_folder(folder: str | Path, images: Sequence[np.ndarray], masks: Sequence[np.ndarray] | None,
                      names: Sequence[str], suffix: str = ".png") -> Path:
    """``images/<name><suffix>`` and, when given, ``masks/<name>.png``."""
    folder = Path(folder)
    for index, name in enumerate(names):
        write_image(folder / "images" / f"{name}{suffix}", images[index])
        if masks is not None:
            write_mask(folder / "masks" / f"{name}.png", masks[index])
    return folder
