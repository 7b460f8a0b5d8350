"""Reading label files safely: size bounded, parsed as data only, errors as one line."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from core.data.images import is_image_file
from core.errors import DataError
from core.labels.dataset import MAX_ANNOTATION_BYTES

HEAD_BYTES = 65536  # enough of a JSON file to tell the formats apart


def read_json(path: Path, max_bytes: int = MAX_ANNOTATION_BYTES):
    """The parsed JSON of ``path``; DataError if missing, too large or malformed."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DataError(path, f"is {size:,} bytes; label files over {max_bytes:,} bytes are refused")
        with path.open("rb") as handle:
            return json.loads(handle.read())
    except FileNotFoundError:
        raise DataError(path, "file is missing") from None
    except OSError as error:
        raise DataError(path, f"cannot read file ({error.strerror or error})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(path, f"is not valid JSON ({error})") from None
    except RecursionError:
        raise DataError(path, "is not valid JSON (nested too deeply)") from None


def json_head(path: Path) -> str:
    """The first bytes of a JSON file as text ('' when unreadable), for detection."""
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    except OSError:
        return ""


def list_files(folder: Path, suffix: str) -> list[Path]:
    """Files ending in ``suffix`` directly in ``folder`` (no hidden ones), sorted by name."""
    if not folder.is_dir():
        return []
    try:
        names = [entry.name for entry in os.scandir(folder)
                 if entry.is_file() and not entry.name.startswith(".") and entry.name.lower().endswith(suffix)]
    except OSError as error:
        raise DataError(folder, f"cannot list folder ({error.strerror or error})") from None
    return [folder / name for name in sorted(names)]


def list_images(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    try:
        names = [entry.name for entry in os.scandir(folder)
                 if entry.is_file() and not entry.name.startswith(".") and is_image_file(entry.name)]
    except OSError as error:
        raise DataError(folder, f"cannot list folder ({error.strerror or error})") from None
    return [folder / name for name in sorted(names)]


def split_named_by(name: str) -> str | None:
    """``"instances_train2017.json"`` -> ``"train"``; names that say no split give None."""
    lowered = name.lower()
    for split, words in (("train", ("train",)), ("val", ("val", "valid")), ("test", ("test",))):
        if any(re.search(rf"(^|[^a-z]){word}", lowered) for word in words):
            return split
    return None


def file_stem(item_id: str) -> str:
    """A flat, portable file stem for an item id: ``"train/00042"`` -> ``"train__00042"``."""
    parts = [re.sub(r"[^A-Za-z0-9._ -]+", "_", part) for part in str(item_id).split("/") if part]
    stem = "__".join(part for part in parts if part not in (".", ".."))
    if not stem:
        raise ValueError(f"item id {item_id!r} cannot name a file")
    return stem
