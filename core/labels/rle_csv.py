"""Kaggle Carvana's run-length CSV: ``img,rle_mask`` (``train_masks.csv``, and the
submission file of the competition), written with ``core.data.rle``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from core.atomic import atomic_write_text
from core.data.rle import rle_encode
from core.errors import DataError
from core.labels.export import ExportItem, write_image
from core.labels.files import file_stem

HEADER = ("img", "rle_mask")


def rle_csv_text(rows: list[tuple[str, str]]) -> str:
    """CSV text with Carvana's header and one ``name,rle`` row per image."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue()


class CarvanaCsvWriter:
    """``train/<stem>.<ext>`` + ``train_masks.csv``: a Carvana folder the reader opens.

    The format holds one binary mask per image, so only two-class datasets export."""

    def __init__(self, folder: Path, dataset):
        if len(dataset.class_names) != 2:
            raise DataError(getattr(dataset, "root", None),
                            f"carvana-csv holds one binary mask per image; this dataset has "
                            f"{len(dataset.class_names) - 1} object classes (use coco, voc, yolo-seg or labelme)")
        self.folder = folder
        self.rows: list[tuple[str, str]] = []

    def add(self, item: ExportItem) -> None:
        image_file = write_image(item, self.folder / "train", file_stem(item.item_id))
        self.rows.append((image_file.name, rle_encode(item.mask)))

    def finish(self) -> None:
        atomic_write_text(self.folder / "train_masks.csv", rle_csv_text(self.rows))


def write_rle_csv(path: str | Path, rows: list[tuple[str, str]]) -> Path:
    """Write ``img,rle_mask`` rows to ``path`` atomically (temporary file, then rename)."""
    atomic_write_text(path, rle_csv_text(rows))
    return Path(path)


def submission_row(probabilities, image_path: str | Path, threshold: float) -> tuple[str, str]:
    """``(image file name, RLE)`` of a binary model's foreground probabilities (H, W)."""
    import numpy as np

    if np.ndim(probabilities) != 2:
        raise DataError(image_path, "carvana-csv holds binary masks; this model predicts several classes")
    return Path(image_path).name, rle_encode(np.asarray(probabilities) >= threshold)
