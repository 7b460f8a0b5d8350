"""Write a segmentation dataset's labels in another format.

Callers wrap the dataset with ``core.annotation.overrides.with_mask_overrides``
first so the user's corrected masks win, as the trainer does (core.annotation
sits above core.labels, so the wrapping is theirs).
``export_labels(dataset, "coco", out)`` streams the items through one format's
writer into a hidden staging folder beside ``out`` and renames it to ``out`` at
the end: the output appears whole or not at all (a failure or a cancel removes
the staging folder). ``out`` must not exist or be an empty folder, so nothing is
ever overwritten. Items without a mask are left out and counted.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import cv2
import numpy as np

from core.errors import CnnLyticalError, DataError


class ExportCancelled(CnnLyticalError):
    """The caller asked to stop; nothing was written."""


@dataclass
class ExportItem:
    number: int                 # image number (the COCO image id when the source had one)
    item_id: str
    split: str | None
    image: np.ndarray           # uint8 (H, W) or (H, W, 3) RGB
    image_path: Path | None     # copied byte for byte when present
    mask: np.ndarray            # uint8 (H, W) class ids


class LabelWriter(Protocol):
    def add(self, item: ExportItem) -> None: ...

    def finish(self) -> None: ...


def _writers() -> dict[str, Callable]:
    from core.labels import coco, labelme, rle_csv, voc, yolo

    return {"coco": coco.CocoWriter, "voc": voc.VocWriter, "yolo-seg": yolo.YoloWriter,
            "labelme": labelme.LabelmeWriter, "carvana-csv": rle_csv.CarvanaCsvWriter}


EXPORT_FORMATS = ("coco", "voc", "yolo-seg", "labelme", "carvana-csv")


def export_labels(dataset, format: str, out: str | Path, *,
                  progress: Callable[[int, int], None] | None = None,
                  should_stop: Callable[[], bool] | None = None) -> dict:
    """Write ``dataset``'s masks as ``format`` into ``out``.

    Returns a summary: format, out, items written, unlabelled items skipped,
    items whose mask came from the user (a ``with_mask_overrides`` dataset's ``overridden``).
    """
    if format not in EXPORT_FORMATS:
        raise DataError(None, f"unknown label format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    if getattr(dataset, "kind", None) != "segmentation":
        raise DataError(getattr(dataset, "root", None), "labels export writes masks; this dataset has none "
                                                        f"(it is {getattr(dataset, 'kind', 'unknown')})")
    out = Path(out)
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.tmp"  # mkdir, unlike mkdtemp, keeps the umask's modes
    staging.mkdir()
    try:
        written, skipped = _write_all(dataset, format, staging, progress, should_stop)
        if out.exists():
            out.rmdir()  # checked empty above
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    overridden = len(getattr(dataset, "overridden", ()))
    return {"format": format, "out": str(out), "items": written, "unlabelled_skipped": skipped,
            "user_masks": overridden}


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise DataError(out, "exists and is a file; choose a new folder for the export")
    if out.is_dir() and any(out.iterdir()):
        raise DataError(out, "already exists and is not empty; choose a new folder (nothing is overwritten)")


def _write_all(dataset, format: str, folder: Path, progress, should_stop) -> tuple[int, int]:
    writer = _writers()[format](folder, dataset)
    split_of = _split_of(dataset)
    numbers = getattr(dataset, "image_numbers", None)
    written = skipped = 0
    for index in range(len(dataset)):
        if should_stop is not None and should_stop():
            raise ExportCancelled("labels export cancelled; nothing was written")
        sample = dataset[index]
        if sample.target is None:
            skipped += 1
        else:
            path = dataset.item_path(index)
            writer.add(ExportItem(
                number=int(numbers[index]) if numbers else index + 1, item_id=dataset.item_id(index),
                split=split_of.get(index), image=np.asarray(sample.image), image_path=Path(path) if path else None,
                mask=np.asarray(sample.target, np.uint8)))
            written += 1
        if progress is not None:
            progress(index + 1, len(dataset))
    if written == 0:
        raise DataError(getattr(dataset, "root", None), "no item has a mask; there is nothing to export")
    writer.finish()
    return written, skipped


def _split_of(dataset) -> dict[int, str]:
    split_of = {}
    for name, indices in getattr(dataset, "splits", {}).items():
        for index in indices:
            split_of.setdefault(int(index), name)
    return split_of


def write_image(item: ExportItem, folder: Path, stem: str) -> Path:
    """The item's image in ``folder`` as ``stem`` + its own suffix (bytes copied), else a PNG."""
    folder.mkdir(parents=True, exist_ok=True)
    if item.image_path is not None and item.image_path.is_file():
        target = folder / (stem + item.image_path.suffix.lower())
        shutil.copyfile(item.image_path, target)
        return target
    image = item.image if item.image.ndim == 2 else cv2.cvtColor(item.image, cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise DataError(None, f"item {item.item_id}: OpenCV could not encode its image")
    target = folder / f"{stem}.png"
    target.write_bytes(encoded.tobytes())
    return target


def write_staged(path: Path, data: bytes | str) -> None:
    """Write one file inside the staging folder (the folder's rename is what makes it atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def object_masks(mask: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """``(class id, 0/1 mask)`` of each 8-connected region of each class, in class order."""
    objects = []
    for class_index in np.unique(mask):
        if class_index == 0:
            continue
        count, components = cv2.connectedComponents((mask == class_index).astype(np.uint8), connectivity=8)
        for component in range(1, count):
            objects.append((int(class_index), (components == component).astype(np.uint8)))
    return objects
