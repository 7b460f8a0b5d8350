"""COCO panoptic JSON: per image a PNG of segment ids plus ``segments_info`` naming their categories.

``annotations/panoptic_val2017.json`` lists, per image, ``file_name`` (the PNG)
and ``segments_info`` (``id``, ``category_id``); the PNGs sit in a folder named
like the JSON (``annotations/panoptic_val2017/`` as the official zip unpacks,
or ``ROOT/panoptic_val2017/``). A pixel's segment id is ``R + 256 G + 256^2 B``;
id 0 is unlabelled (background). Things and stuff alike become classes of a
class-id mask, so instances of one category merge (semantic segmentation).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.data.images import decode_file
from core.errors import DataError

PANOPTIC_KEY = "panoptic_png"  # marks a segment in the shared (category, segmentation, bbox) objects


def is_panoptic(annotations: list) -> bool:
    return bool(annotations) and isinstance(annotations[0], dict) and "segments_info" in annotations[0]


def panoptic_objects(path: Path, root: Path, annotations: list, known: set[int]) -> dict[object, list]:
    """image id -> ``[(category id, {PANOPTIC_KEY: png, "id": segment id}, bbox)]``."""
    folder = _png_folder(path, root)
    per_image: dict[object, list] = {}
    for number, annotation in enumerate(annotations):
        if not isinstance(annotation, dict) or not isinstance(annotation.get("file_name"), str) \
                or not isinstance(annotation.get("segments_info"), list):
            raise DataError(path, f"panoptic annotation {number} needs 'file_name' and 'segments_info'")
        png = folder / annotation["file_name"]
        objects = per_image.setdefault(annotation.get("image_id"), [])
        for segment in annotation["segments_info"]:
            if not isinstance(segment, dict) or segment.get("category_id") not in known \
                    or not isinstance(segment.get("id"), int):
                raise DataError(path, f"panoptic annotation {number}: segment {segment!r} needs an integer 'id' "
                                      "and a listed 'category_id'")
            objects.append((segment["category_id"], {PANOPTIC_KEY: png, "id": segment["id"]}, segment.get("bbox")))
    return per_image


def _png_folder(path: Path, root: Path) -> Path:
    for candidate in (path.parent / path.stem, root / path.stem, path.parent.parent / path.stem):
        if candidate.is_dir():
            return candidate
    raise DataError(path, f"panoptic PNG folder {path.stem}/ not found beside it or in {root}")


class SegmentIds:
    """The segment-id map of the last PNG read (an image's segments all come from one PNG)."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.ids: np.ndarray | None = None

    def mask(self, segmentation: dict, height: int, width: int) -> np.ndarray:
        png = Path(segmentation[PANOPTIC_KEY])
        if png != self.path:
            bgr = decode_file(png)
            if bgr.ndim != 3 or bgr.shape[2] < 3:
                raise DataError(png, "a panoptic PNG is RGB (segment id = R + 256 G + 256^2 B)")
            bgr = bgr[:, :, :3].astype(np.int64)
            self.path, self.ids = png, bgr[:, :, 2] + 256 * bgr[:, :, 1] + 65536 * bgr[:, :, 0]
        if self.ids.shape != (height, width):
            raise DataError(png, f"is {self.ids.shape[1]}x{self.ids.shape[0]} but its image is {width}x{height}")
        return (self.ids == int(segmentation["id"])).astype(np.uint8)
