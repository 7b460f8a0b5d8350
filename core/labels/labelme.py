"""labelme JSON: one ``<stem>.json`` next to each image (``version``, ``flags``, ``shapes``,
``imagePath``, ``imageData``, ``imageHeight``, ``imageWidth``).

Shapes used: ``polygon``, ``rectangle`` (two corners), ``circle`` (centre and a
point on the rim) and ``mask`` (two bbox corners plus a base64 PNG of the box);
``line``, ``linestrip`` and ``point`` enclose no pixels and are skipped.
Shapes are rasterised as labelme itself does (``labelme.utils.shape_to_mask``:
PIL, pixel centres on integer coordinates, outline pixels included), so a file
means here what it means in labelme. Images without a JSON are unlabelled items.

Writing: a region without holes becomes a polygon through the region's outline
traced at double resolution (``geometry``) and halved, which PIL fills back
exactly; a region with holes becomes a ``mask`` shape (exact by construction).

Class names: labelme2voc's ``labels.txt`` (``__ignore__``, ``_background_``,
then the classes, in mask-value order) when present, else the labels found,
sorted by name.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import struct
from pathlib import Path, PurePosixPath

import cv2
import numpy as np
from PIL import Image, ImageDraw

from core.atomic import atomic_write_text
from core.data.splits import shuffled_split
from core.errors import DataError
from core.labels.dataset import (BACKGROUND, MAX_IMAGE_PIXELS, LabelDataset, check_class_count,
                                 check_image_size, paint, report_missing)
from core.labels.export import ExportItem, object_masks, write_image, write_staged
from core.labels.files import file_stem, json_head, list_files, list_images, read_json
from core.labels.geometry import OUTLINE_OFFSET, bounding_box, has_holes, mask_to_polygons

FORMAT = "labelme"
AREA_SHAPES = ("polygon", "rectangle", "circle", "mask")
SKIPPED_SHAPES = ("line", "linestrip", "point", "points")
NOT_CLASSES = ("__ignore__", "_background_", BACKGROUND)
LABELME_VERSION = "5.5.0"


def is_labelme_folder(root: Path) -> bool:
    """A JSON beside the images whose first bytes mention ``"shapes"``."""
    for path in list_files(root, ".json"):
        if '"shapes"' in json_head(path):
            return True
    return False


class LabelmeMasks:
    def __init__(self, label_files: list[Path | None], shapes: list[list[dict]], sizes, class_names):
        self.label_files = label_files
        self.shapes = shapes
        self.sizes = sizes
        self.class_of = {name: index for index, name in enumerate(class_names)}

    def has_mask(self, index: int) -> bool:
        return self.label_files[index] is not None

    def mask(self, index: int, height: int, width: int) -> np.ndarray:
        path = self.label_files[index]
        if self.sizes[index] != (width, height):
            raise DataError(path, f"image is {width}x{height} on disk but "
                                  f"{self.sizes[index][0]}x{self.sizes[index][1]} in the JSON")
        return paint(((self.class_of[shape["label"]], _shape_mask(path, number, shape, height, width))
                      for number, shape in enumerate(self.shapes[index])), height, width)


def _shape_mask(path: Path, number: int, shape: dict, height: int, width: int) -> np.ndarray:
    """0/1 (H, W) of one shape, drawn as labelme draws it (fill and outline)."""
    kind = shape["shape_type"]
    if kind == "mask":
        return _pasted_mask(path, number, shape, height, width)
    canvas = Image.new("L", (width, height))
    draw = ImageDraw.Draw(canvas)
    points = [tuple(map(float, point)) for point in shape["points"]]
    if kind == "polygon":
        draw.polygon(points, fill=1, outline=1)
    elif kind == "rectangle":
        (x1, y1), (x2, y2) = points[:2]
        draw.rectangle([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)], fill=1, outline=1)
    else:  # circle: centre, then a point on the rim
        (cx, cy), (px, py) = points[:2]
        radius = float(np.hypot(cx - px, cy - py))
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=1, outline=1)
    return np.asarray(canvas, dtype=np.uint8)


def _pasted_mask(path: Path, number: int, shape: dict, height: int, width: int) -> np.ndarray:
    """labelme's ``mask`` shape: a PNG of the box ``points[0]..points[1]`` (inclusive, truncated
    to integers as labelme does), pasted at its top-left corner."""
    try:
        data = base64.b64decode(shape.get("mask") or "", validate=True)
    except (binascii.Error, ValueError):
        raise DataError(path, f"shape {number}: 'mask' is not base64") from None
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        raise DataError(path, f"shape {number}: 'mask' is not a PNG")
    box_width, box_height = struct.unpack(">II", data[16:24])
    if box_width * box_height > MAX_IMAGE_PIXELS:
        raise DataError(path, f"shape {number}: mask is {box_width}x{box_height}, over the pixel limit")
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if decoded is None:
        raise DataError(path, f"shape {number}: cannot decode its mask PNG")
    left, top = (int(v) for v in shape["points"][0])
    canvas = np.zeros((height, width), np.uint8)
    bottom, right = min(height, top + decoded.shape[0]), min(width, left + decoded.shape[1])
    if top < height and left < width and bottom > max(top, 0) and right > max(left, 0):
        canvas[max(top, 0):bottom, max(left, 0):right] = decoded[max(-top, 0):bottom - top,
                                                                max(-left, 0):right - left] > 0
    return canvas


def open_labelme(root: str | Path, seed: int = 0) -> LabelDataset:
    root = Path(root)
    label_files = [path for path in list_files(root, ".json") if '"shapes"' in json_head(path)]
    if not label_files:
        raise DataError(root, "no labelme JSON found")
    documents = {path: _parse(path) for path in label_files}
    by_image, missing = {}, []
    for path, document in documents.items():
        image = _image_of(root, path, document["imagePath"])
        if image is None:
            missing.append(document["imagePath"] or path.name)
        else:
            by_image[image] = path
    report_missing(root, missing, len(documents))
    images = sorted(set(list_images(root)) | set(by_image), key=lambda path: path.name)
    class_names = _class_names(root, documents)
    files = [by_image.get(image) for image in images]
    return LabelDataset(
        image_paths=images, ids=[image.stem for image in images], format=FORMAT, class_names=class_names,
        splits=shuffled_split(len(images), seed=seed), root=str(root),
        source=LabelmeMasks(files, [documents[f]["shapes"] if f else [] for f in files],
                            [documents[f]["size"] if f else None for f in files], class_names))


def _parse(path: Path) -> dict:
    """The shapes that enclose pixels, validated, and the image size; imageData is dropped."""
    document = read_json(path)
    if not isinstance(document, dict) or not isinstance(document.get("shapes"), list):
        raise DataError(path, "not a labelme file: no 'shapes' list")
    size = check_image_size(path, document.get("imageWidth"), document.get("imageHeight"))
    shapes = []
    for number, shape in enumerate(document["shapes"]):
        if not isinstance(shape, dict) or not isinstance(shape.get("label"), str):
            raise DataError(path, f"shape {number} needs a 'label'")
        kind = shape.get("shape_type") or "polygon"
        if kind in SKIPPED_SHAPES:
            continue
        if kind not in AREA_SHAPES:
            raise DataError(path, f"shape {number}: unknown shape_type {kind!r}")
        points = shape.get("points")
        needed = 3 if kind == "polygon" else 2
        if not _is_point_list(points) or len(points) < needed:
            raise DataError(path, f"shape {number} ({kind}) needs at least {needed} [x, y] points")
        shapes.append({"label": shape["label"], "shape_type": kind, "points": points, "mask": shape.get("mask")})
    image_path = document.get("imagePath")
    return {"shapes": shapes, "size": size, "imagePath": image_path if isinstance(image_path, str) else ""}


def _is_point_list(points) -> bool:
    return isinstance(points, list) and all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, (int, float)) and math.isfinite(v) for v in p)
        for p in points)


def _image_of(root: Path, label_file: Path, image_path: str) -> Path | None:
    """The image a JSON describes: its ``imagePath`` (relative to the JSON), else a same-stem image."""
    name = image_path.replace("\\", "/")
    candidates = [label_file.parent / name, label_file.parent / PurePosixPath(name).name] if name else []
    candidates += [path for path in list_images(root) if path.stem == label_file.stem]
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def _class_names(root: Path, documents: dict) -> list[str]:
    labels_file = root / "labels.txt"
    used = {shape["label"] for document in documents.values() for shape in document["shapes"]}
    if labels_file.is_file():
        try:
            names = [line.strip() for line in labels_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as error:
            raise DataError(labels_file, f"cannot read ({error})") from None
        names = [BACKGROUND] + [name for name in names if name not in NOT_CLASSES]
        unknown = sorted(used - set(names))
        if unknown:
            raise DataError(labels_file, f"does not list label {unknown[0]!r} used in the JSON files")
        return check_class_count(labels_file, names)
    return check_class_count(root, [BACKGROUND] + sorted(used - set(NOT_CLASSES)))


class LabelmeWriter:
    """``<stem>.<ext>`` + ``<stem>.json`` per image (one polygon shape per connected region,
    holes bridged in) and labelme2voc's ``labels.txt`` so class order survives."""

    def __init__(self, folder: Path, dataset):
        self.folder = folder
        self.class_names = list(dataset.class_names)

    def add(self, item: ExportItem) -> None:
        stem = file_stem(item.item_id)
        image_file = write_image(item, self.folder, stem)
        height, width = item.mask.shape
        shapes = []
        for class_index, region in object_masks(item.mask):
            shapes.append({"label": self.class_names[class_index], "group_id": None, "description": "",
                           "flags": {}, **_shape_of(region)})
        write_staged(self.folder / f"{stem}.json", json.dumps({
            "version": LABELME_VERSION, "flags": {}, "shapes": shapes, "imagePath": image_file.name,
            "imageData": None, "imageHeight": int(height), "imageWidth": int(width)}))  # no indent: C encoder

    def finish(self) -> None:
        names = ["__ignore__", "_background_"] + self.class_names[1:]
        atomic_write_text(self.folder / "labels.txt", "\n".join(names) + "\n")


def _shape_of(region: np.ndarray) -> dict:
    """``shape_type``, ``points`` and ``mask`` of one connected region (see the module doc)."""
    if not has_holes(region):
        outline = np.asarray(mask_to_polygons(region)[0]).reshape(-1, 2) - OUTLINE_OFFSET  # (n, 2)
        height, width = region.shape
        drawn = _shape_mask(Path(), 0, {"shape_type": "polygon", "points": outline.tolist()}, height, width)
        if np.array_equal(drawn, region):
            return {"shape_type": "polygon", "points": outline.tolist(), "mask": None}
    x, y, box_width, box_height = (int(v) for v in bounding_box(region))
    ok, png = cv2.imencode(".png", region[y:y + box_height, x:x + box_width] * 255)
    return {"shape_type": "mask", "points": [[x, y], [x + box_width - 1, y + box_height - 1]],
            "mask": base64.b64encode(png.tobytes()).decode("ascii")}
