"""YOLO segmentation (Ultralytics layout): ``images/``, ``labels/*.txt``, ``data.yaml``.

Layouts: ``images/<split>/`` + ``labels/<split>/``, flat ``images/`` + ``labels/``,
or Roboflow's ``<split>/images`` + ``<split>/labels`` (split folders ``train``,
``val``/``valid``, ``test`` give the splits; flat ones are split 80/10/10 seeded).
Class names come from ``data.yaml`` ``names`` (a list or an ``{id: name}`` map),
read with ``yaml.safe_load`` (plain data only, never objects), else CVAT's
``obj.names`` or ``classes.txt``.

A label line is ``class x1 y1 x2 y2 ...``: one polygon, coordinates normalised
by the image width and height (COCO pixel convention, 0 = left edge, 1 = right
edge); a five-value line ``class cx cy w h`` is a box. YOLO class ``c`` is mask
value ``c + 1``. An image without a label file has no objects (YOLO's rule).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from core.atomic import atomic_write_text
from core.data.splits import shuffled_split
from core.errors import DataError
from core.labels.dataset import BACKGROUND, LabelDataset, check_class_count, paint
from core.labels.export import ExportItem, object_masks, write_image, write_staged
from core.labels.files import file_stem, list_files, list_images
from core.labels.geometry import mask_to_polygons, polygons_to_mask, rectangle_mask

FORMAT = "yolo-seg"
SPLIT_FOLDERS = {"train": "train", "val": "val", "valid": "val", "test": "test"}
MAX_YAML_BYTES = 1 << 20
MAX_LABEL_BYTES = 64 << 20


def _layouts(root: Path) -> list[tuple[str | None, Path, Path]]:
    """``(split, images folder, labels folder)`` triples present under ``root``."""
    found = []
    for folder, split in SPLIT_FOLDERS.items():
        for images, labels in ((root / "images" / folder, root / "labels" / folder),
                               (root / folder / "images", root / folder / "labels")):
            if images.is_dir():
                found.append((split, images, labels))
    if not found and (root / "images").is_dir():
        found.append((None, root / "images", root / "labels"))
    return found


def is_yolo_folder(root: Path) -> bool:
    """Images with a labels folder of ``.txt`` files (and no PNG masks in it)."""
    for _, images, labels in _layouts(root):
        if list_files(labels, ".txt") and not list_images(labels):
            return True
    return False


def read_class_names(root: Path) -> list[str]:
    """Background, then YOLO classes 0, 1, ... by name."""
    for name in ("data.yaml", "dataset.yaml", "data.yml"):
        path = root / name
        if path.is_file():
            return check_class_count(path, [BACKGROUND] + _yaml_names(path))
    for name in ("obj.names", "classes.txt"):
        path = root / name
        if path.is_file():
            try:
                names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            except (OSError, UnicodeDecodeError) as error:
                raise DataError(path, f"cannot read class names ({error})") from None
            return check_class_count(path, [BACKGROUND] + names)
    raise DataError(root, "YOLO folder without class names: add data.yaml with 'names'")


def _yaml_names(path: Path) -> list[str]:
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise DataError(path, f"is over {MAX_YAML_BYTES:,} bytes")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise DataError(path, f"cannot read YAML ({str(error).splitlines()[0]})") from None
    names = data.get("names") if isinstance(data, dict) else None
    if isinstance(names, dict):
        try:
            keys = sorted(int(key) for key in names)
        except (TypeError, ValueError):
            raise DataError(path, "'names' keys must be class numbers 0, 1, ...") from None
        if keys != list(range(len(keys))):
            raise DataError(path, "'names' must number the classes 0, 1, 2... without gaps")
        return [str(names[key] if key in names else names[str(key)]) for key in keys]
    if isinstance(names, list) and names:
        return [str(name) for name in names]
    raise DataError(path, "no 'names' list (the class names)")


class YoloMasks:
    def __init__(self, label_paths: list[Path], class_count: int):
        self.label_paths = label_paths
        self.class_count = class_count

    def has_mask(self, index: int) -> bool:
        return True

    def mask(self, index: int, height: int, width: int) -> np.ndarray:
        path = self.label_paths[index]
        if not path.is_file():
            return np.zeros((height, width), np.uint8)
        return paint((self._object(path, number, line, height, width)
                      for number, line in enumerate(_read_lines(path), 1) if line.strip()), height, width)

    def _object(self, path: Path, number: int, line: str, height: int, width: int):
        tokens = line.split()
        try:
            class_id = int(tokens[0])
            values = [float(token) for token in tokens[1:]]
        except ValueError:
            raise DataError(path, f"line {number}: expected 'class x1 y1 x2 y2 ...' numbers") from None
        if not 0 <= class_id < self.class_count - 1:
            raise DataError(path, f"line {number}: class {class_id} but data.yaml names {self.class_count - 1}")
        if not all(np.isfinite(values)):
            raise DataError(path, f"line {number}: coordinates must be finite numbers")
        if len(values) == 4:
            cx, cy, box_width, box_height = values
            return class_id + 1, rectangle_mask(((cx - box_width / 2) * width, (cy - box_height / 2) * height),
                                                ((cx + box_width / 2) * width, (cy + box_height / 2) * height),
                                                height, width)
        if len(values) < 6 or len(values) % 2:
            raise DataError(path, f"line {number}: a polygon needs at least 3 x, y pairs")
        points = np.asarray(values).reshape(-1, 2) * (width, height)
        return class_id + 1, polygons_to_mask([points.reshape(-1).tolist()], height, width)


def _read_lines(path: Path) -> list[str]:
    try:
        if path.stat().st_size > MAX_LABEL_BYTES:
            raise DataError(path, f"is over {MAX_LABEL_BYTES:,} bytes")
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(path, f"cannot read labels ({error})") from None


def open_yolo(root: str | Path, seed: int = 0) -> LabelDataset:
    root = Path(root)
    layouts = _layouts(root)
    if not layouts:
        raise DataError(root, "not a YOLO folder (needs images/ and labels/)")
    class_names = read_class_names(root)
    images, labels, split_of = [], [], []
    for split, image_folder, label_folder in layouts:
        for path in list_images(image_folder):
            images.append(path)
            labels.append(label_folder / f"{path.stem}.txt")
            split_of.append(split)
    if not images:
        raise DataError(root / "images", "no images found")
    return LabelDataset(
        image_paths=images, ids=_ids(images, split_of), format=FORMAT, class_names=class_names,
        splits=_splits(split_of, seed), root=str(root), source=YoloMasks(labels, len(class_names)))


def _ids(images: list[Path], split_of: list[str | None]) -> list[str]:
    stems = [path.stem for path in images]
    if len(set(stems)) == len(stems):
        return stems
    return [f"{path.parent.name}/{path.stem}" for path in images]


def _splits(split_of: list[str | None], seed: int) -> dict[str, np.ndarray]:
    if all(split is not None for split in split_of) and {"train", "val"} <= set(split_of):
        return {name: np.asarray([i for i, s in enumerate(split_of) if s == name], dtype=np.int64)
                for name in ("train", "val", "test")}
    return shuffled_split(len(split_of), seed=seed)


class YoloWriter:
    """``images/<split>/``, ``labels/<split>/<stem>.txt`` (one line per connected region, holes
    bridged into its polygon, 6 decimals) and ``data.yaml``."""

    def __init__(self, folder: Path, dataset):
        self.folder = folder
        self.names = list(dataset.class_names[1:])
        self.splits: set[str] = set()

    def add(self, item: ExportItem) -> None:
        split = item.split or "train"
        self.splits.add(split)
        stem = file_stem(item.item_id)
        write_image(item, self.folder / "images" / split, stem)
        height, width = item.mask.shape
        lines = []
        for class_index, region in object_masks(item.mask):
            for polygon in mask_to_polygons(region):
                points = np.asarray(polygon).reshape(-1, 2) / (width, height)
                lines.append(f"{class_index - 1} " + " ".join(f"{value:.6f}" for value in points.reshape(-1)))
        write_staged(self.folder / "labels" / split / f"{stem}.txt", "".join(line + "\n" for line in lines))

    def finish(self) -> None:
        document = {"path": ".", **{split: f"images/{split}" for split in sorted(self.splits)},
                    "nc": len(self.names), "names": dict(enumerate(self.names))}
        atomic_write_text(self.folder / "data.yaml", yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
