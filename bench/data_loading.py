"""Benchmark: opening and iterating a 5,000-image folder, and reading packed MNIST.

    .venv/bin/python bench/data_loading.py [--count 5000] [--size 64]

Writes the data to a temporary folder, then measures, in the same run:
- opening the folder with ``open_dataset`` (listing only) against decoding
  every image once (what a non-lazy reader would do at open time);
- iterating every item (image + mask or label) through the dataset against a
  bare ``cv2.imread`` loop over the same files, and against torchvision's
  ``ImageFolder`` for the class-folder layout;
- opening a 60,000 + 10,000 image MNIST in gzipped IDX against gunzip alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.data import open_dataset  # noqa: E402
from core.data.writers import write_mnist  # noqa: E402


def timed(function, repeat: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def write_folders(root: Path, count: int, size: int) -> None:
    """``classes/<c>/<i>.png`` and ``seg/images/<i>.jpg`` + ``seg/masks/<i>.png``."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (16, size, size, 3), dtype=np.uint8)
    for index in range(count):
        image = np.roll(base[index % 16], index, axis=1)
        mask = np.zeros((size, size), np.uint8)
        mask[index % size:, : size // 2] = 255
        cv2.imwrite(str(_mkdir(root / "classes" / f"class{index % 10}") / f"{index:05d}.png"), image)
        cv2.imwrite(str(_mkdir(root / "seg" / "images") / f"{index:05d}.jpg"), image)
        cv2.imwrite(str(_mkdir(root / "seg" / "masks") / f"{index:05d}.png"), mask)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def iterate(dataset) -> int:
    pixels = 0
    for index in range(len(dataset)):
        sample = dataset[index]
        pixels += sample.image.size
    return pixels


def imread_all(paths: list[str]) -> int:
    return sum(cv2.imread(path, cv2.IMREAD_UNCHANGED).size for path in paths)


def folder_rows(root: Path, layout: str) -> list[tuple[str, float, int, str, float]]:
    dataset_root = root / layout
    open_seconds, dataset = timed(lambda: open_dataset(dataset_root), repeat=3)
    paths = [dataset.item_path(i) for i in range(len(dataset))]
    if layout == "seg":
        paths += [dataset.mask_path(i) for i in range(len(dataset))]
    decode_seconds, _ = timed(lambda: imread_all(paths))
    iterate_seconds, _ = timed(lambda: iterate(dataset))
    count = len(dataset)
    rows = [
        (f"open {layout} folder ({dataset.format})", open_seconds, count, "decode all once", decode_seconds),
        (f"iterate {layout} (image+{'mask' if layout == 'seg' else 'label'})", iterate_seconds, count,
         "bare cv2.imread loop", decode_seconds),
    ]
    if layout == "classes":
        rows.append(torchvision_row(dataset_root, count, iterate_seconds))
    return rows


def torchvision_row(root: Path, count: int, ours: float) -> tuple[str, float, int, str, float]:
    from torchvision.datasets import ImageFolder

    def open_and_iterate():
        folder = ImageFolder(str(root))
        return sum(np.asarray(folder[i][0]).size for i in range(len(folder)))

    seconds, _ = timed(open_and_iterate)
    return ("open+iterate classes (ours)", ours, count, "torchvision ImageFolder (PIL)", seconds)


def mnist_row(root: Path) -> tuple[str, float, int, str, float]:
    import gzip

    rng = np.random.default_rng(0)
    train = (rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8), rng.integers(0, 10, 60000))
    test = (train[0][:10000], train[1][:10000])
    folder = write_mnist(root / "mnist", train, test, gz=True)
    files = sorted(folder.iterdir())
    gunzip_seconds, _ = timed(lambda: [gzip.decompress(f.read_bytes()) for f in files], repeat=3)
    open_seconds, dataset = timed(lambda: open_dataset(folder), repeat=3)
    assert len(dataset) == 70000
    return ("open MNIST 70k (IDX .gz)", open_seconds, 70000, "gunzip the 4 files only", gunzip_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--size", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        write_seconds, _ = timed(lambda: write_folders(root, args.count, args.size))
        print(f"wrote {args.count} images ({args.size}x{args.size}) x 2 layouts + masks "
              f"in {write_seconds:.1f} s; cpu count {os.cpu_count()}")
        rows = folder_rows(root, "classes") + folder_rows(root, "seg") + [mnist_row(root)]
    print(f"{'step':44s} {'seconds':>8s} {'items/s':>10s}   {'reference':30s} {'seconds':>8s} {'ratio':>8s}")
    for name, seconds, count, reference, reference_seconds in rows:
        print(f"{name:44s} {seconds:8.3f} {count / seconds:10.0f}   {reference:30s} "
              f"{reference_seconds:8.3f} {seconds / reference_seconds:8.3f}")


if __name__ == "__main__":
    main()
