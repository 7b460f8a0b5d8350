"""Label formats on real Carvana masks: export and read-back cost per image, exactness.

    .venv/bin/python bench/labels.py [--items 24] [--repeat 3]

Takes the first ``--items`` pairs of ../shared/data/carvana (1918x1280 JPEGs,
palette GIF masks), exports them to every label format, opens the result and
compares every mask with the original (exact = identical pixels). Per image:
export time (image bytes copied, mask encoded) and read-back time (mask decoded
through the format's reader), medians over ``--repeat`` runs with the spread
(min-max), as a ratio to the reference measured in the same run: decoding the
GIF mask and encoding it as a PNG (what the app's own mask folder costs).
Prints one line and exits 0 when the data folder is absent.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "carvana"
FORMATS = ("coco", "voc", "yolo-seg", "labelme", "carvana-csv")


def subset(folder: Path, items: int) -> Path:
    """A Carvana folder of the first ``items`` pairs, as symbolic links."""
    (folder / "train").mkdir(parents=True)
    (folder / "train_masks").mkdir()
    for image in sorted((DATA / "train").glob("*.jpg"))[:items]:
        (folder / "train" / image.name).symlink_to(image)
        mask = DATA / "train_masks" / f"{image.stem}_mask.gif"
        (folder / "train_masks" / mask.name).symlink_to(mask)
    return folder


def reference_seconds(dataset) -> float:
    """Per image: decode the GIF mask, encode it as PNG."""
    from core.data.masks import read_mask

    start = time.perf_counter()
    for index in range(len(dataset)):
        mask = read_mask(dataset.mask_path(index))
        cv2.imencode(".png", mask * 255)
    return (time.perf_counter() - start) / len(dataset)


def format_run(dataset, originals: dict, label_format: str, work: Path) -> tuple[float, float, bool, int]:
    from core.data import open_dataset
    from core.labels import export_labels

    out = work / label_format
    start = time.perf_counter()
    export_labels(dataset, label_format, out)
    export_seconds = (time.perf_counter() - start) / len(dataset)
    back = open_dataset(out)
    start = time.perf_counter()
    masks = {back.item_id(i): back.source.mask(i, 1280, 1918) if hasattr(back, "source") else back[i].target
             for i in range(len(back))}
    read_seconds = (time.perf_counter() - start) / len(back)
    exact = all(np.array_equal(masks[key], originals[key]) for key in originals)
    size = sum(path.stat().st_size for path in out.rglob("*") if path.is_file() and path.suffix != ".jpg")
    shutil.rmtree(out)
    return export_seconds, read_seconds, exact, size


def spread(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms ({min(values) * 1000:.1f}-{max(values) * 1000:.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (DATA / "train").is_dir():
        print(f"no real data at {DATA}; nothing to measure")
        return 0
    from core.data import open_dataset

    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        dataset = open_dataset(subset(work / "carvana", args.items))
        originals = {dataset.item_id(i): dataset[i].target for i in range(len(dataset))}
        reference = [reference_seconds(dataset) for _ in range(args.repeat)]
        rows = {}
        for label_format in FORMATS:
            runs = [format_run(dataset, originals, label_format, work) for _ in range(args.repeat)]
            rows[label_format] = runs
    base = statistics.median(reference)
    print(f"{args.items} Carvana images 1918x1280, {args.repeat} runs, medians (min-max) per image")
    print(f"reference (GIF mask decode + PNG encode): {spread(reference)}")
    print(f"{'format':12} {'export':>30} {'x ref':>6} {'read back':>30} {'x ref':>6} {'exact':>6} {'labels KB/img':>13}")
    for label_format, runs in rows.items():
        export, read = [r[0] for r in runs], [r[1] for r in runs]
        exact = all(r[2] for r in runs)
        size = runs[0][3] / args.items / 1024
        print(f"{label_format:12} {spread(export):>30} {statistics.median(export) / base:6.2f} "
              f"{spread(read):>30} {statistics.median(read) / base:6.2f} {str(exact):>6} {size:13.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
