"""Any folder of images: one subfolder per class, or images with a parallel mask folder.

Layouts recognised (checked in this order):
- ``ROOT/images/`` + ``ROOT/masks/`` (also ``labels``, ``annotations``): segmentation;
- images directly in ROOT, masks in ``ROOT/masks/``, ``../masks/`` (when ROOT is
  named ``images``) or ``ROOT_masks/`` beside it; no mask folder: unlabelled
  images, ready to annotate;
- subfolders of images and no loose images: classification, class = subfolder.
Masks match images by file stem (``cat.jpg`` <- ``cat.png`` or ``cat_mask.png``);
an optional ``ROOT/classes.txt`` names mask values 0, 1, 2... (background first).
Opening only lists file names; pixels are decoded on access.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.data.files import FileDataset
from core.data.images import IMAGE_SUFFIXES, is_image_file
from core.data.splits import shuffled_split, stratified_split
from core.errors import DataError, warn_data

IMAGE_FOLDER_NAMES = ("images", "imgs", "image")
MASK_FOLDER_NAMES = ("masks", "mask", "labels", "annotations")
SEGMENTATION_CLASSES = ["background", "object"]
CLASSES_FILE = "classes.txt"


def list_image_files(folder: Path) -> list[Path]:
    """Image files directly in ``folder``, sorted by name (no decoding).

    Hidden files (macOS ``._x.png`` stubs, ``.DS_Store``) are ignored; a broken
    link is skipped with a warning rather than refusing the whole dataset.
    """
    try:
        entries = [entry for entry in os.scandir(folder)
                   if not entry.name.startswith(".") and is_image_file(entry.name)]
    except OSError as error:
        raise DataError(folder, f"cannot list folder ({error.strerror or error})") from None
    files = []
    for entry in entries:
        if entry.is_file():
            files.append(Path(entry.path))
        elif entry.is_symlink():
            warn_data(entry.path, "broken link, skipped")
    return sorted(files, key=lambda path: path.name)


def _subfolders(folder: Path) -> list[Path]:
    return sorted((Path(e.path) for e in os.scandir(folder) if e.is_dir() and not e.name.startswith(".")),
                  key=lambda path: path.name)


def _first_existing(candidates: list[Path]) -> Path | None:
    return next((path for path in candidates if path.is_dir()), None)


def find_mask_folder(image_folder: Path) -> Path | None:
    candidates = [image_folder / name for name in MASK_FOLDER_NAMES]
    if image_folder.name.lower() in IMAGE_FOLDER_NAMES:
        candidates += [image_folder.parent / name for name in MASK_FOLDER_NAMES]
    candidates.append(image_folder.parent / f"{image_folder.name}_masks")
    return _first_existing(candidates)


def match_masks(images: list[Path], mask_folder: Path | None) -> list[Path | None]:
    """The mask of each image by stem (``<stem>.*`` or ``<stem>_mask.*``), None where missing."""
    if mask_folder is None:
        return [None] * len(images)
    by_stem: dict[str, Path] = {}
    for path in list_image_files(mask_folder):
        stem = path.stem[:-len("_mask")] if path.stem.endswith("_mask") else path.stem
        by_stem.setdefault(stem, path)
    return [by_stem.get(path.stem) for path in images]


def read_class_names(root: Path) -> list[str] | None:
    """Names of mask values 0, 1, 2... from ``ROOT/classes.txt`` (one per line), if present."""
    path = root / CLASSES_FILE
    if not path.is_file():
        return None
    try:
        names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(path, f"cannot read class names ({error})") from None
    if len(names) < 2:
        raise DataError(path, "needs at least two lines: background, then the object classes")
    duplicate = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if duplicate is not None:
        raise DataError(path, f"class name {duplicate!r} appears twice")
    return names


def open_folder(root: str | Path, seed: int = 0) -> FileDataset:
    """The images under ``root`` in whichever layout it uses (see the module doc)."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(root, "not a folder")
    image_folder = _first_existing([root / name for name in IMAGE_FOLDER_NAMES])
    if image_folder is not None and list_image_files(image_folder):
        mask_folder = _first_existing([root / name for name in MASK_FOLDER_NAMES])
        return _segmentation(root, image_folder, mask_folder, seed)
    if list_image_files(root):
        return _segmentation(root, root, find_mask_folder(root), seed)
    classes = [(folder, list_image_files(folder)) for folder in _subfolders(root)]
    classes = [(folder, images) for folder, images in classes if images]
    if not classes:
        raise DataError(root, f"no images found (looked for {', '.join(IMAGE_SUFFIXES)} "
                              "in the folder and one level of subfolders)")
    return _classification(root, classes, seed)


def _segmentation(root: Path, image_folder: Path, mask_folder: Path | None, seed: int) -> FileDataset:
    images = list_image_files(image_folder)
    masks = match_masks(images, mask_folder)
    labelled = any(mask is not None for mask in masks)
    return FileDataset(
        image_paths=images, kind="segmentation", format="folder-masks" if labelled else "folder-images",
        task="folder", class_names=read_class_names(root) or list(SEGMENTATION_CLASSES),
        splits=shuffled_split(len(images), seed=seed),
        root=str(root), mask_paths=masks)


def _classification(root: Path, classes: list[tuple[Path, list[Path]]], seed: int) -> FileDataset:
    paths, labels = [], []
    for label, (_, images) in enumerate(classes):
        paths.extend(images)
        labels.extend([label] * len(images))
    ids = [f"{path.parent.name}/{path.stem}" for path in paths]
    return FileDataset(
        image_paths=paths, kind="classification", format="folder-classes", task="folder",
        class_names=[folder.name for folder, _ in classes], splits=stratified_split(labels, seed=seed),
        root=str(root), labels=labels, ids=ids)
