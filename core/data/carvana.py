"""Carvana (Kaggle layout): ``train/<car>_<NN>.jpg`` with ``train_masks/<car>_<NN>_mask.gif``
and/or ``train_masks.csv`` (``img,rle_mask``).

Splits are by car id: the views of one car are near-duplicates, so they must
all sit on the same side of a split or validation scores leak.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from core.data.files import FileDataset
from core.data.folder import list_image_files
from core.data.splits import grouped_split
from core.errors import DataError

CLASS_NAMES = ["background", "car"]
MASK_SUFFIXES = (".gif", ".png")


def is_carvana_folder(root: Path) -> bool:
    return (root / "train").is_dir() and ((root / "train_masks").is_dir() or (root / "train_masks.csv").is_file())


def car_id(item_id: str) -> str:
    """``"0cdf5b5d0ce1_01"`` -> ``"0cdf5b5d0ce1"``."""
    return item_id.rsplit("_", 1)[0]


def read_rle_csv(path: Path) -> dict[str, str]:
    """``img`` -> ``rle_mask`` from ``train_masks.csv``."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:  # Excel writes a BOM
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or not {"img", "rle_mask"} <= set(reader.fieldnames):
                raise DataError(path, f"expected columns img,rle_mask, found {reader.fieldnames}")
            return {row["img"]: row["rle_mask"] or "" for row in reader}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DataError(path, f"cannot read run-length CSV ({error})") from None


def _mask_files(folder: Path) -> dict[str, Path]:
    """Image stem -> mask file, for ``<stem>_mask.gif`` (or .png) in ``folder``."""
    if not folder.is_dir():
        return {}
    masks = {}
    for entry in os.scandir(folder):
        if entry.name.startswith("."):
            continue
        stem, suffix = os.path.splitext(entry.name)
        if suffix.lower() in MASK_SUFFIXES and stem.endswith("_mask"):
            masks[stem[:-len("_mask")]] = Path(entry.path)
    return masks


def open_carvana(root: str | Path, seed: int = 0) -> FileDataset:
    root = Path(root)
    if not (root / "train").is_dir():
        raise DataError(root, "not a Carvana folder (no train/ with the car images)")
    images = list_image_files(root / "train")
    if not images:
        raise DataError(root / "train", "no images found")
    gifs = _mask_files(root / "train_masks")
    csv_path = root / "train_masks.csv"
    rles = read_rle_csv(csv_path) if csv_path.is_file() else {}
    if not gifs and not rles:
        raise DataError(root, "no masks: expected train_masks/<id>_mask.gif or train_masks.csv")
    unmasked = [p.name for p in images if p.stem not in gifs and p.name not in rles]
    if unmasked:
        raise DataError(root / "train", f"{len(unmasked)} image(s) have no mask, e.g. {unmasked[0]}")
    ids = [p.stem for p in images]
    use_files = all(p.stem in gifs for p in images)  # GIFs win; the CSV fills in otherwise
    return FileDataset(
        image_paths=images, kind="segmentation", format="carvana", task="carvana",
        class_names=list(CLASS_NAMES), splits=grouped_split([car_id(i) for i in ids], seed=seed),
        root=str(root), ids=ids, rle_source=csv_path if rles else None,
        mask_paths=[gifs.get(p.stem) for p in images] if gifs else None,
        mask_rles=None if use_files else [None if p.stem in gifs else rles[p.name] for p in images])
