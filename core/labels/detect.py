"""Which label format a folder holds (None when it is none of them).

Checked in this order, each from folder names and the first bytes of at most
a few files (never a full parse): Pascal VOC (``JPEGImages/`` +
``SegmentationClass/``), YOLO (``images/`` + ``labels/*.txt``), a Label Studio
JSON export (refused when opened: its brush RLE is not COCO's), COCO (a JSON
in ``annotations/`` or the folder with ``images``/``annotations`` keys),
labelme (a JSON with ``shapes`` beside the images).
"""

from __future__ import annotations

from pathlib import Path

from core.errors import DataError
from core.labels.coco import LABEL_STUDIO_BRUSH, find_coco_files, open_coco
from core.labels.files import json_head, list_files
from core.labels.labelme import is_labelme_folder, open_labelme
from core.labels.voc import find_voc_root, open_voc
from core.labels.yolo import is_yolo_folder, open_yolo


def find_label_studio_export(root: Path) -> Path | None:
    """A JSON whose top level is Label Studio's list of tasks with annotation results."""
    for folder in (root, root / "annotations"):
        for path in list_files(folder, ".json"):
            head = json_head(path)
            if head.startswith("[") and ('"result"' in head or '"annotations"' in head):
                return path
    return None


def open_label_studio(root: str | Path, seed: int = 0):
    path = find_label_studio_export(Path(root)) or Path(root)
    raise DataError(path, "is a Label Studio JSON export; " + LABEL_STUDIO_BRUSH)


LABEL_READERS = {
    "voc": open_voc,
    "yolo-seg": open_yolo,
    "label-studio": open_label_studio,
    "coco": open_coco,
    "labelme": open_labelme,
}


def detect_label_format(root: Path) -> str | None:
    """The key of ``LABEL_READERS`` that understands ``root``, or None."""
    root = Path(root)
    if find_voc_root(root) is not None:
        return "voc"
    if is_yolo_folder(root):
        return "yolo-seg"
    if find_label_studio_export(root) is not None:
        return "label-studio"
    if find_coco_files(root):
        return "coco"
    if is_labelme_folder(root):
        return "labelme"
    return None
