"""Hostile and odd input files, built byte by byte so the corpus needs nothing on disk.

Each function writes one file (or folder) and returns its path. Headers are
written by hand where a real encoder would refuse to produce the file (a GIF
screen of 30000x30000 in 35 bytes, an IDX header that overflows int64).
"""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np


# --- images -----------------------------------------------------------------------------

def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(path: Path, width: int, height: int, colour: int = 2) -> Path:
    """A PNG declaring ``width`` x ``height`` whose pixel data is one row long (a bomb header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    row = b"\0" * (1 + width * (3 if colour == 2 else 1))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
                     + _png_chunk(b"IDAT", zlib.compress(row, 9)) + _png_chunk(b"IEND", b""))
    return path


def gif_screen(path: Path, width: int, height: int) -> Path:
    """A 35-byte GIF: a ``width`` x ``height`` logical screen holding one 1x1 frame."""
    data = (b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
            + b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00;")
    path.write_bytes(data)
    return path


def jpeg_claiming(path: Path, width: int, height: int) -> Path:
    """A real 8x8 JPEG whose frame header (SOF0) is patched to claim ``width`` x ``height``."""
    ok, encoded = cv2.imencode(".jpg", np.full((8, 8, 3), 128, np.uint8))
    data = bytearray(encoded.tobytes())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    path.write_bytes(bytes(data))
    return path


def tiff_claiming(path: Path, width: int, height: int) -> Path:
    """An uncompressed 8-bit TIFF declaring ``width`` x ``height`` with a 16-byte strip."""
    entries = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
               (273, 4, 0), (277, 3, 1), (278, 4, height), (279, 4, 16)]
    ifd_size = 2 + 12 * len(entries) + 4
    strip_offset = 8 + ifd_size
    body = struct.pack("<H", len(entries))
    for tag, kind, value in entries:
        value = strip_offset if tag == 273 else value
        packed = struct.pack("<HI", value, 0)[:4] if kind == 3 else struct.pack("<I", value)
        body += struct.pack("<HHI", tag, kind, 1) + packed
    path.write_bytes(b"II*\0" + struct.pack("<I", 8) + body + b"\0\0\0\0" + b"\0" * 16)
    return path


def bmp_claiming(path: Path, width: int, height: int) -> Path:
    """A 24-bit BMP header declaring ``width`` x ``height`` and holding no pixels."""
    dib = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    path.write_bytes(b"BM" + struct.pack("<IHHI", 54, 0, 0, 54) + dib)
    return path


def jpeg_with_orientation(path: Path, image: np.ndarray, orientation: int) -> Path:
    """``image`` (H, W, 3 RGB) saved as JPEG with an EXIF Orientation tag."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(image).save(path, quality=95, exif=exif.tobytes())
    return path


def write_png(path: Path, array: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, encoded = cv2.imencode(".png", array)
    path.write_bytes(encoded.tobytes())
    return path


# --- IDX (MNIST) ------------------------------------------------------------------------

def idx_file(path: Path, shape: tuple[int, ...], payload: bytes | None = None,
             magic_type: int = 0x08) -> Path:
    """An IDX file with header ``shape`` and ``payload`` (default: exactly the declared bytes)."""
    header = bytes([0, 0, magic_type, len(shape)]) + b"".join(struct.pack(">I", n) for n in shape)
    if payload is None:
        payload = bytes(int(np.prod(shape)))
    data = header + payload
    path.write_bytes(gzip.compress(data, 1) if path.suffix == ".gz" else data)
    return path


def idx_gzip_bomb(path: Path, count: int, side: int = 28) -> Path:
    """A .gz of an IDX image file of ``count`` black ``side`` x ``side`` images.

    Built from one compressed 16 MiB gzip member repeated (gzip allows several
    members), so a 600 MB declared payload costs a fraction of a second to make.
    """
    header = bytes([0, 0, 8, 3]) + struct.pack(">III", count, side, side)
    total = count * side * side
    block = 16 << 20
    member = gzip.compress(bytes(block), 9)
    with path.open("wb") as handle:
        handle.write(gzip.compress(header))
        for _ in range(total // block):
            handle.write(member)
        handle.write(gzip.compress(bytes(total % block)))
    return path


def mnist_folder(root: Path, n: int = 4, labels: bytes | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    idx_file(root / "train-images-idx3-ubyte", (n, 28, 28))
    idx_file(root / "train-labels-idx1-ubyte", (n,), labels if labels is not None else bytes(range(n)))
    return root


# --- CIFAR pickles ----------------------------------------------------------------------

class _Reduce:
    """Pickles as ``func(*args)``: how a crafted pickle names a global it wants called."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _reconstruct():
    try:
        from numpy._core.multiarray import _reconstruct as function
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core.multiarray import _reconstruct as function
    return function


def cifar_batch_bytes(labels, n: int = 2, protocol: int = 4, data=None) -> bytes:
    """A pickled CIFAR batch dict with ``n`` images and ``labels`` as given."""
    if data is None:
        data = np.arange(n * 3072, dtype=np.int64).astype(np.uint8).reshape(n, 3072)
    batch = {b"batch_label": b"training batch 1 of 5", b"labels": labels, b"data": data,
             b"filenames": [b"x.png"] * n}
    return pickle.dumps(batch, protocol=protocol)


def cifar_folder(root: Path, labels, n: int = 2, protocol: int = 4, meta: list | None = None,
                 data=None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "data_batch_1").write_bytes(cifar_batch_bytes(labels, n, protocol, data))
    if meta is not None:
        (root / "batches.meta").write_bytes(pickle.dumps({b"label_names": meta}, protocol=4))
    return root


def cifar_reconstruct_bomb(root: Path, elements: int = 400_000_000) -> Path:
    """A ~200-byte batch whose 'data' is ``_reconstruct(ndarray, (elements,), int64)``: 3.2 GB."""
    bomb = _Reduce(_reconstruct(), (np.ndarray, (elements,), np.dtype("i8")))
    root.mkdir(parents=True, exist_ok=True)
    (root / "data_batch_1").write_bytes(pickle.dumps({b"data": bomb, b"labels": []}, protocol=4))
    return root


def cifar_code_runner(root: Path, marker: Path) -> Path:
    """A batch whose unpickling would create ``marker`` through ``os.system``."""
    import os

    root.mkdir(parents=True, exist_ok=True)
    payload = _Reduce(os.system, (f"touch {marker}",))
    (root / "data_batch_1").write_bytes(pickle.dumps({b"data": payload, b"labels": []}, protocol=2))
    return root


def cifar_codecs_abuse(root: Path) -> Path:
    """A batch using ``_codecs.encode`` with a codec other than latin1 (never in real files)."""
    import _codecs

    root.mkdir(parents=True, exist_ok=True)
    payload = _Reduce(_codecs.encode, (b"x" * 16, "zlib_codec"))
    (root / "data_batch_1").write_bytes(pickle.dumps({b"data": payload, b"labels": []}, protocol=2))
    return root


def pickle_bytes(obj, protocol: int = 2) -> bytes:
    buffer = io.BytesIO()
    pickle.dump(obj, buffer, protocol=protocol)
    return buffer.getvalue()


# --- Carvana / RLE ----------------------------------------------------------------------

def carvana_folder(root: Path, rle: str, csv_prefix: bytes = b"", size=(8, 8)) -> Path:
    """``train/car_01.jpg`` and ``train_masks.csv`` holding ``rle`` for it."""
    write_png(root / "train" / "car_01.png", np.zeros((*size, 3), np.uint8))
    text = f"img,rle_mask\ncar_01.png,{rle}\n".encode("utf-8")
    (root / "train_masks.csv").write_bytes(csv_prefix + text)
    return root


def segmentation_folder(root: Path, n: int = 3, mask_value: int = 1, classes: list[str] | None = None,
                        size=(8, 8)) -> Path:
    """``images/`` + ``masks/`` with ``n`` pairs; masks hold 0 and ``mask_value``."""
    for i in range(n):
        write_png(root / "images" / f"im{i}.png", np.full((*size, 3), 40 * i, np.uint8))
        mask = np.zeros(size, np.uint8)
        mask[: size[0] // 2] = mask_value
        write_png(root / "masks" / f"im{i}.png", mask)
    if classes is not None:
        (root / "classes.txt").write_text("\n".join(classes) + "\n", encoding="utf-8")
    return root


def class_folder(root: Path, classes=("cat", "dog"), per_class: int = 3, size=(8, 8)) -> Path:
    for c, name in enumerate(classes):
        for i in range(per_class):
            write_png(root / name / f"{i}.png", np.full((*size, 3), 30 * c + i, np.uint8))
    return root
