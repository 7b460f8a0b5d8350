"""COCO instances JSON (polygons, compressed and uncompressed RLE) or panoptic JSON beside an image folder.

Layouts: ``ROOT/annotations/*.json`` (CVAT's ``instances_default.json``, COCO's
``instances_train2017.json``) or a JSON in ``ROOT`` (Label Studio's
``result.json``, Roboflow's ``_annotations.coco.json``). Images are looked up
by ``file_name`` (then its base name) under the JSON's folder, its parent,
``ROOT``, ``ROOT/images`` and ``ROOT/<split name>``; a file per split
(``instances_val*.json``) gives the splits, otherwise they are 80/10/10 seeded.

Segmentations: polygon lists, RLE with a ``counts`` string (compressed) or list
(uncompressed, as CVAT writes for ``iscrowd: 1``); an annotation with no
segmentation falls back to its ``bbox``. Classes are the categories in id order.
Panoptic files (``segments_info`` + id PNGs) are read by ``coco_panoptic``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path, PurePosixPath

import numpy as np

from core.atomic import atomic_write_text
from core.data.splits import shuffled_split
from core.errors import DataError
from core.labels.dataset import (BACKGROUND, LabelDataset, check_class_count, check_image_size,
                                 paint, report_missing)
from core.labels.coco_panoptic import PANOPTIC_KEY, SegmentIds, is_panoptic, panoptic_objects
from core.labels.export import ExportItem, object_masks, write_image
from core.labels.files import file_stem, json_head, list_files, read_json, split_named_by
from core.labels.geometry import (bounding_box, has_holes, mask_to_polygons, mask_to_rle, polygons_to_mask,
                                  rectangle_mask, rle_to_mask)

FORMAT = "coco"
NOT_MASKS = ("captions_", "person_keypoints_", "image_info_")
LABEL_STUDIO_BRUSH = ("Label Studio brush RLE is not COCO RLE; export the project from Label Studio "
                      "as COCO (polygons) or as PNG masks")


def find_coco_files(root: Path) -> list[Path]:
    """COCO-looking JSON files in ``ROOT/annotations`` or ``ROOT`` (by their first bytes); where
    COCO's own ``instances_*`` files are present only those, else ``panoptic_*`` ones, and never
    its captions, keypoints or image-info files (no masks in them)."""
    for folder in (root / "annotations", root):
        found = [path for path in list_files(folder, ".json") if _looks_like_coco(json_head(path))
                 and not path.name.startswith(NOT_MASKS)]
        for prefix in ("instances", "panoptic"):
            preferred = [path for path in found if path.name.startswith(prefix)]
            if preferred:
                return preferred
        if found:
            return found
    return []


def _looks_like_coco(head: str) -> bool:
    return head.startswith("{") and '"shapes"' not in head and (
        '"images"' in head or '"categories"' in head or '"annotations"' in head)


class CocoMasks:
    """Per item: the declared size and the ``(class index, segmentation, bbox)`` objects."""

    def __init__(self, label_files: list[Path], sizes: list[tuple[int, int]], objects: list[list[tuple]]):
        self.label_files = label_files
        self.sizes = sizes
        self.objects = objects
        self.segment_ids = SegmentIds()  # panoptic files: the PNG of the item being painted

    def has_mask(self, index: int) -> bool:
        return True  # a COCO image without annotations is an image with no objects

    def mask(self, index: int, height: int, width: int) -> np.ndarray:
        declared_width, declared_height = self.sizes[index]
        path = self.label_files[index]
        if (declared_height, declared_width) != (height, width):
            raise DataError(path, f"image {index} is {width}x{height} on disk but "
                                  f"{declared_width}x{declared_height} in the JSON")
        try:
            return paint(((class_index, self._object_mask(segmentation, bbox, height, width))
                          for class_index, segmentation, bbox in self.objects[index]), height, width)
        except ValueError as error:
            raise DataError(path, f"bad segmentation: {error}") from None

    def _object_mask(self, segmentation, bbox, height: int, width: int) -> np.ndarray:
        if isinstance(segmentation, dict) and PANOPTIC_KEY in segmentation:
            return self.segment_ids.mask(segmentation, height, width)
        return _object_mask(segmentation, bbox, height, width)


def _object_mask(segmentation, bbox, height: int, width: int) -> np.ndarray:
    if isinstance(segmentation, dict):
        return rle_to_mask(segmentation, height, width)
    if segmentation:
        return polygons_to_mask(segmentation, height, width)
    x, y, box_width, box_height = bbox
    return rectangle_mask((x, y), (x + box_width, y + box_height), height, width)


def open_coco(root: str | Path, seed: int = 0) -> LabelDataset:
    root = Path(root)
    label_files = find_coco_files(root)
    if not label_files:
        raise DataError(root, "no COCO JSON found (looked in annotations/ and the folder)")
    parsed = [_parse(path, root) for path in label_files]
    names = _class_names(parsed)
    paths, ids, numbers, sizes, objects, sources, split_of = [], [], [], [], [], [], []
    for path, (categories, images, per_image, base) in zip(label_files, parsed):
        class_of = {category_id: names.index(name) for category_id, name in categories}
        split = split_named_by(path.stem) if len(label_files) > 1 else None
        for image in images:
            paths.append(image["path"])
            numbers.append(image["id"])
            ids.append(image["item_id"])
            sizes.append((image["width"], image["height"]))
            objects.append([(class_of[c], segmentation, bbox) for c, segmentation, bbox in per_image[image["id"]]])
            sources.append(path)
            split_of.append(split)
    category_ids = sorted({category_id for categories, *_ in parsed for category_id, _ in categories})
    return LabelDataset(
        image_paths=paths, ids=_unique_ids(ids, paths), format=FORMAT, class_names=names,
        splits=_splits(split_of, seed), root=str(root), source=CocoMasks(sources, sizes, objects),
        image_numbers=numbers,
        category_ids=category_ids if len(category_ids) == len(names) - 1 else None)


def _parse(path: Path, root: Path):
    data = read_json(path)
    if isinstance(data, list):
        raise DataError(path, "top level is a list (a Label Studio JSON export?); " + LABEL_STUDIO_BRUSH)
    if not isinstance(data, dict) or not isinstance(data.get("images"), list):
        raise DataError(path, "not a COCO file: no 'images' list")
    annotations = data.get("annotations") or []
    if not isinstance(annotations, list):
        raise DataError(path, "'annotations' is not a list")
    categories = _categories(path, data.get("categories"))
    known = {category_id for category_id, _ in categories}
    images = [_image(path, entry) for entry in data["images"]]
    per_image: dict[int, list] = {image["id"]: [] for image in images}
    sizes = {image["id"]: (image["width"], image["height"]) for image in images}
    if is_panoptic(annotations):
        for image_id, objects in panoptic_objects(path, root, annotations, known).items():
            if image_id not in per_image:
                raise DataError(path, f"a panoptic annotation refers to image id {image_id}, which is not listed")
            per_image[image_id] = objects
        annotations = []
    for number, annotation in enumerate(annotations):
        image_id, item = _annotation(path, number, annotation, known)
        if image_id not in per_image:
            raise DataError(path, f"annotation {number} refers to image id {image_id}, which is not listed")
        _check_rle_size(path, number, item[1], sizes[image_id])
        per_image[image_id].append(item)
    base = _image_folder(path, root, images)
    missing = []
    for image in images:
        image["path"] = _locate(base, image["file_name"])
        if image["path"] is None:
            missing.append(image["file_name"])
    report_missing(path, missing, len(images))
    return categories, images, per_image, base


def _categories(path: Path, entries) -> list[tuple[int, str]]:
    if not isinstance(entries, list) or not entries:
        raise DataError(path, "no 'categories': the class names are unknown")
    categories = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), int) or "name" not in entry:
            raise DataError(path, f"category {entry!r} needs an integer 'id' and a 'name'")
        categories.append((entry["id"], str(entry["name"])))
    if len({category_id for category_id, _ in categories}) != len(categories):
        raise DataError(path, "category ids repeat")
    return sorted(categories)


def _image(path: Path, entry) -> dict:
    if not isinstance(entry, dict) or "id" not in entry or not isinstance(entry.get("file_name"), str):
        raise DataError(path, f"image entry {str(entry)[:80]} needs an 'id' and a 'file_name'")
    width, height = check_image_size(path, entry.get("width"), entry.get("height"))
    file_name = entry["file_name"].replace("\\", "/")
    return {"id": entry["id"], "file_name": file_name, "width": width, "height": height,
            "item_id": PurePosixPath(file_name).stem}


def _annotation(path: Path, number: int, annotation, known: set[int]):
    if not isinstance(annotation, dict):
        raise DataError(path, f"annotation {number} is not an object")
    category_id = annotation.get("category_id")
    if category_id not in known:
        raise DataError(path, f"annotation {number} has category_id {category_id!r}, which is not listed")
    segmentation = annotation.get("segmentation")
    bbox = annotation.get("bbox")
    if isinstance(segmentation, dict):
        if "rle" in segmentation or segmentation.get("format") == "rle":
            raise DataError(path, f"annotation {number}: " + LABEL_STUDIO_BRUSH)
        if "counts" not in segmentation:
            raise DataError(path, f"annotation {number}: RLE segmentation without 'counts'")
    elif isinstance(segmentation, list) and segmentation:
        if not all(isinstance(polygon, list) and len(polygon) % 2 == 0
                   and all(isinstance(v, (int, float)) and math.isfinite(v) for v in polygon)
                   for polygon in segmentation):
            raise DataError(path, f"annotation {number}: polygons must be flat lists of finite x, y numbers")
    elif not (isinstance(bbox, list) and len(bbox) == 4 and all(isinstance(v, (int, float)) for v in bbox)):
        raise DataError(path, f"annotation {number} has neither a segmentation nor a bbox")
    return annotation.get("image_id"), (category_id, segmentation, bbox)


def _check_rle_size(path: Path, number: int, segmentation, size: tuple[int, int]) -> None:
    if isinstance(segmentation, dict) and segmentation.get("size") is not None:
        width, height = size
        if list(segmentation["size"]) != [height, width]:
            raise DataError(path, f"annotation {number}: RLE size {segmentation['size']} but the image is "
                                  f"{width}x{height} (size is [height, width])")


def _class_names(parsed) -> list[str]:
    """Background then the category names, in id order, merged over all files."""
    names = [BACKGROUND]
    for categories, *_ in parsed:
        for _, name in categories:
            if name not in names:
                names.append(name)
    return check_class_count("categories", names)


def _image_folder(path: Path, root: Path, images: list[dict]) -> Path:
    """The folder the ``file_name`` entries are relative to (where the first one is found)."""
    candidates = [path.parent, path.parent.parent, root, root / "images", path.parent.parent / "images"]
    stem_words = path.stem.split("_", 1)
    if len(stem_words) == 2:  # instances_train2017.json -> train2017/
        candidates += [root / stem_words[1], root / "images" / stem_words[1]]
    for candidate in candidates:
        if images and _locate(candidate, images[0]["file_name"]) is not None:
            return candidate
    return root


def _locate(base: Path, file_name: str) -> Path | None:
    relative = file_name.lstrip("/")
    for candidate in (base / relative, base / PurePosixPath(relative).name):
        if candidate.is_file():
            return candidate
    return None


def _unique_ids(ids: list[str], paths: list[Path]) -> list[str]:
    """File stems, or parent/stem for all when two images share a stem."""
    if len(set(ids)) == len(ids):
        return ids
    return [f"{path.parent.name}/{path.stem}" for path in paths]


def _splits(split_of: list[str | None], seed: int) -> dict[str, np.ndarray]:
    named = {name: [i for i, split in enumerate(split_of) if split == name] for name in ("train", "val", "test")}
    if named["train"] and named["val"] and all(split is not None for split in split_of):
        return {name: np.asarray(indices, dtype=np.int64) for name, indices in named.items()}
    return shuffled_split(len(split_of), seed=seed)


class CocoWriter:
    """``images/`` + ``annotations/instances_<split>.json``, one annotation per connected region.

    A region without holes is written as a polygon (exact under pycocotools, see
    ``geometry``); a region with holes as compressed RLE with ``iscrowd: 0``, which
    every COCO reader decodes exactly and no polygon tool misreads as filled.
    """

    def __init__(self, folder: Path, dataset):
        self.folder = folder
        category_ids = getattr(dataset, "category_ids", None) or list(range(1, len(dataset.class_names)))
        self.category_ids = category_ids
        self.categories = [{"id": int(category_id), "name": name, "supercategory": ""}
                           for category_id, name in zip(category_ids, dataset.class_names[1:])]
        self.files: dict[str, dict] = {}
        self.next_annotation = 1

    def add(self, item: ExportItem) -> None:
        image_file = write_image(item, self.folder / "images", file_stem(item.item_id))
        height, width = item.mask.shape
        content = self.files.setdefault(item.split or "default", {"images": [], "annotations": []})
        content["images"].append({"id": item.number, "file_name": image_file.name,
                                  "width": int(width), "height": int(height)})
        for class_index, region in object_masks(item.mask):
            content["annotations"].append({
                "id": self.next_annotation, "image_id": item.number,
                "category_id": int(self.category_ids[class_index - 1]),
                "segmentation": _segmentation(region), "area": int(region.sum()),
                "bbox": bounding_box(region), "iscrowd": 0})
            self.next_annotation += 1

    def finish(self) -> None:
        for split, content in self.files.items():
            document = {"info": {"description": "exported by CNN-Lytical"}, "licenses": [],
                        "categories": self.categories, **content}
            text = json.dumps(document)  # compact: the C encoder, several times faster than indent=2
            atomic_write_text(self.folder / "annotations" / f"instances_{split}.json", text)


def _segmentation(region: np.ndarray):
    if not has_holes(region):
        polygons = mask_to_polygons(region)
        height, width = region.shape
        if np.array_equal(polygons_to_mask(polygons, height, width), region):
            return polygons
    return mask_to_rle(region)
