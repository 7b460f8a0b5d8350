"""Pascal VOC segmentation: ``JPEGImages/``, ``SegmentationClass/`` palette PNGs, ``ImageSets/Segmentation``.

``ROOT`` may also be ``VOCdevkit`` (or a folder holding it) with one ``VOC20xx``
inside. Items are the ids listed in ``ImageSets/Segmentation/{train,val,test}.txt``
(``trainval.txt`` alone is split 80/10/10 seeded), else every mask's stem. An id
listed without a mask (VOC's test set) is an unlabelled item.

Mask values are the palette indices: 0 background, 1..K the classes. **255 is
VOC's "void" (object outlines and ambiguous pixels): it is read as background**,
since the trainer has no ignore label; writers never produce it. Class names
come from CVAT's ``labelmap.txt`` (``name:r,g,b::``), else ``classes.txt``, else
VOC 2012's 21 names. An RGB (non-palette) mask is mapped back through the
label map's colours.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from core.atomic import atomic_write_text
from core.data.images import IMAGE_SUFFIXES
from core.data.splits import shuffled_split
from core.errors import DataError
from core.labels.dataset import MAX_IMAGE_PIXELS, LabelDataset, check_class_count, report_missing
from core.labels.export import ExportItem, write_image, write_staged
from core.labels.files import file_stem, list_files

FORMAT = "voc"
VOID = 255
VOC_CLASSES = ["background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
               "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
               "train", "tvmonitor"]
SPLIT_FILES = ("train", "val", "test")


def voc_colormap(count: int = 256) -> np.ndarray:
    """VOC's palette: (count, 3) uint8, the bits of the index spread over R, G, B."""
    colours = np.zeros((count, 3), np.uint8)
    for index in range(count):
        value, red, green, blue = index, 0, 0, 0
        for shift in range(7, -1, -1):
            red |= (value & 1) << shift
            green |= ((value >> 1) & 1) << shift
            blue |= ((value >> 2) & 1) << shift
            value >>= 3
        colours[index] = (red, green, blue)
    return colours


def find_voc_root(root: Path) -> Path | None:
    """``root`` itself, or the single ``VOC20xx`` under it or under ``root/VOCdevkit``."""
    for candidate in (root, root / "VOCdevkit"):
        if (candidate / "JPEGImages").is_dir() and (candidate / "SegmentationClass").is_dir():
            return candidate
        if candidate.is_dir():
            years = sorted(path for path in candidate.glob("VOC*") if (path / "SegmentationClass").is_dir())
            if len(years) == 1 and (years[0] / "JPEGImages").is_dir():
                return years[0]
    return None


def read_labelmap(voc_root: Path) -> tuple[list[str], list[tuple[int, int, int]] | None]:
    """Class names (background first) and their colours, if the folder says."""
    labelmap = voc_root / "labelmap.txt"
    if labelmap.is_file():
        names, colours = [], []
        for number, line in enumerate(_lines(labelmap), 1):
            if line.startswith("#"):
                continue
            name, _, rest = line.partition(":")
            try:
                colour = tuple(int(v) for v in rest.split(":", 1)[0].split(","))
            except ValueError:
                raise DataError(labelmap, f"line {number}: expected name:r,g,b::") from None
            if len(colour) != 3:
                raise DataError(labelmap, f"line {number}: expected name:r,g,b::")
            names.append(name.strip())
            colours.append(colour)
        return check_class_count(labelmap, names), colours
    classes = voc_root / "classes.txt"
    if classes.is_file():
        return check_class_count(classes, [line for line in _lines(classes)]), None
    return list(VOC_CLASSES), None


def _lines(path: Path) -> list[str]:
    try:
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(path, f"cannot read ({error})") from None


class VocMasks:
    def __init__(self, mask_paths: list[Path | None], class_names: list[str], colours):
        self.mask_paths = mask_paths
        self.class_count = len(class_names)
        palette = colours or [tuple(c) for c in voc_colormap(len(class_names)).tolist()]
        self.colour_index = {tuple(colour): index for index, colour in enumerate(palette)}
        self.colour_index[tuple(voc_colormap()[VOID].tolist())] = VOID
        self.colour_index[(255, 255, 255)] = VOID

    def has_mask(self, index: int) -> bool:
        return self.mask_paths[index] is not None

    def mask(self, index: int, height: int, width: int) -> np.ndarray:
        path = self.mask_paths[index]
        labels = self._read(path)
        if labels.shape != (height, width):
            raise DataError(path, f"mask is {labels.shape[1]}x{labels.shape[0]} but its image is {width}x{height}")
        labels = np.where(labels == VOID, 0, labels).astype(np.uint8)
        if labels.size and int(labels.max()) >= self.class_count:
            raise DataError(path, f"mask value {int(labels.max())} but only {self.class_count} classes are named")
        return labels

    def _read(self, path: Path) -> np.ndarray:
        try:
            with Image.open(path) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise DataError(path, f"mask is {image.width}x{image.height}, over the pixel limit")
                if image.mode == "P":
                    return np.asarray(image, dtype=np.uint8)
                if image.mode in ("L", "I;16", "I"):
                    return np.asarray(image.convert("L"), dtype=np.uint8)
                return self._from_colours(path, np.asarray(image.convert("RGB")))
        except (OSError, Image.DecompressionBombError) as error:
            raise DataError(path, f"cannot read mask ({error})") from None

    def _from_colours(self, path: Path, rgb: np.ndarray) -> np.ndarray:
        colours, inverse = np.unique(rgb.reshape(-1, 3), axis=0, return_inverse=True)
        lookup = []
        for colour in map(tuple, colours.tolist()):
            if colour not in self.colour_index:
                raise DataError(path, f"colour {colour} is not in the label map")
            lookup.append(self.colour_index[colour])
        return np.asarray(lookup, np.uint8)[inverse.reshape(-1)].reshape(rgb.shape[:2])


def open_voc(root: str | Path, seed: int = 0) -> LabelDataset:
    root = Path(root)
    voc_root = find_voc_root(root)
    if voc_root is None:
        raise DataError(root, "not a Pascal VOC folder (needs JPEGImages/ and SegmentationClass/)")
    class_names, colours = read_labelmap(voc_root)
    ids, named_splits = _item_ids(voc_root)
    images_by_stem = _stems(voc_root / "JPEGImages")
    missing = [item_id for item_id in ids if item_id not in images_by_stem]
    report_missing(voc_root / "JPEGImages", missing, len(ids))
    masks = {path.stem: path for path in list_files(voc_root / "SegmentationClass", ".png")}
    if not ids:
        raise DataError(voc_root, "no items: SegmentationClass/ is empty and no ImageSets list them")
    splits = named_splits if named_splits is not None else shuffled_split(len(ids), seed=seed)
    return LabelDataset(
        image_paths=[images_by_stem[item_id] for item_id in ids], ids=ids, format=FORMAT,
        class_names=class_names, splits=splits, root=str(root),
        source=VocMasks([masks.get(item_id) for item_id in ids], class_names, colours))


def _stems(folder: Path) -> dict[str, Path]:
    found = {}
    for suffix in IMAGE_SUFFIXES:
        for path in list_files(folder, suffix):
            found.setdefault(path.stem, path)
    return found


def _item_ids(voc_root: Path) -> tuple[list[str], dict[str, np.ndarray] | None]:
    """Ids in split-file order and the splits, or every mask's stem (splits None)."""
    sets = voc_root / "ImageSets" / "Segmentation"
    listed = {name: _lines(sets / f"{name}.txt") for name in SPLIT_FILES if (sets / f"{name}.txt").is_file()}
    if "train" in listed and "val" in listed:
        ids, splits = [], {}
        for name in SPLIT_FILES:
            start = len(ids)
            ids.extend(item_id.split()[0] for item_id in listed.get(name, []))
            splits[name] = np.arange(start, len(ids), dtype=np.int64)
        return ids, splits
    if (sets / "trainval.txt").is_file():
        return [line.split()[0] for line in _lines(sets / "trainval.txt")], None
    return [path.stem for path in list_files(voc_root / "SegmentationClass", ".png")], None


class VocWriter:
    """``JPEGImages/`` (images copied as they are), ``SegmentationClass/`` palette PNGs with
    VOC's colours, ``ImageSets/Segmentation/<split>.txt`` and a CVAT-style ``labelmap.txt``."""

    def __init__(self, folder: Path, dataset):
        self.folder = folder
        self.class_names = list(dataset.class_names)
        check_class_count(folder, self.class_names)
        self.palette = voc_colormap()
        self.split_ids: dict[str, list[str]] = {}

    def add(self, item: ExportItem) -> None:
        stem = file_stem(item.item_id)
        write_image(item, self.folder / "JPEGImages", stem)
        image = Image.fromarray(item.mask)  # mode L; putpalette turns it into P, values kept
        image.putpalette(self.palette.reshape(-1).tolist())
        encoded = io.BytesIO()
        image.save(encoded, format="PNG")
        write_staged(self.folder / "SegmentationClass" / f"{stem}.png", encoded.getvalue())
        self.split_ids.setdefault(item.split or "train", []).append(stem)

    def finish(self) -> None:
        for split, ids in self.split_ids.items():
            atomic_write_text(self.folder / "ImageSets" / "Segmentation" / f"{split}.txt", "\n".join(ids) + "\n")
        lines = ["# label:color_rgb:parts:actions"]
        lines += [f"{name}:{','.join(map(str, self.palette[index]))}::"
                  for index, name in enumerate(self.class_names)]
        atomic_write_text(self.folder / "labelmap.txt", "\n".join(lines) + "\n")
