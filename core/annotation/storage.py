"""Where user-drawn masks live and how they are written.

Masks go to a folder of the user's choosing beside the dataset (default
``<dataset root>/.annotations/masks``; for demo data a folder in the user's
data directory) as single-channel PNGs: 0/255 for binary masks, class ids for
multi-class ones, written to a temporary file and renamed. A folder that
already holds images CNN-Lytical did not write (for instance the dataset's own
masks) is never written into unless the caller explicitly allows it.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import unquote

import cv2
import numpy as np

from core.atomic import atomic_write_bytes
from core.errors import DataError

MARKER = ".cnn-lytical-masks"  # written into folders this app owns
IMAGE_SUFFIXES = {".png", ".gif", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}


def user_data_dir() -> Path:
    """The per-user data folder (``$CNN_LYTICAL_DATA_DIR``, else XDG data home)."""
    explicit = os.environ.get("CNN_LYTICAL_DATA_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cnn-lytical"


def default_masks_dir(dataset) -> Path:
    """``<root>/.annotations/masks`` for datasets on disk, a user-data folder for demo data."""
    root = getattr(dataset, "root", None)
    if root:
        return Path(root) / ".annotations" / "masks"
    return user_data_dir() / "annotations" / str(getattr(dataset, "task", "demo")) / "masks"


UNSAFE_IN_NAMES = set('\\/:*?"<>|%')  # path separators, Windows-reserved, and the escape itself
MAX_NAME_BYTES = 200                   # 255 per name, less the atomic temp name's prefix and suffix


def mask_filename(item_id: str) -> Path:
    """Relative PNG path of an item's mask: ``"train/00042"`` -> ``train/00042.png``.

    Injective: letters of any script stay as they are ("数据 1" -> ``数据 1.png``);
    path-hostile characters, control characters, a leading dot and a trailing
    dot or space become ``%XX`` (UTF-8), as does ``%`` itself, so two ids never
    share a file and ``saved_ids`` can read the id back. A part longer than 200
    bytes is cut and suffixed with a hash of the whole part.
    """
    parts = item_id.split("/")
    if not item_id or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"item id {item_id!r} cannot name a mask file")
    names = [_escape(part) for part in parts]
    return Path(*names[:-1], names[-1] + ".png")


def _escape(part: str) -> str:
    chars = [c if c.isprintable() and c not in UNSAFE_IN_NAMES else _percent(c) for c in part]
    if part.startswith("."):
        chars[0] = "%2E"
    if part.endswith((".", " ")):
        chars[-1] = _percent(part[-1])
    name = "".join(chars)
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        digest = hashlib.sha1(part.encode("utf-8")).hexdigest()[:12]
        name = name.encode("utf-8")[:MAX_NAME_BYTES - 13].decode("utf-8", "ignore") + "~" + digest
    return name


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


def legacy_mask_filename(item_id: str) -> Path | None:
    """The name masks were saved under before names became injective (read-only fallback)."""
    parts = [re.sub(r"[^A-Za-z0-9._ -]+", "_", part) for part in item_id.split("/") if part]
    if not parts or any(part in (".", "..") for part in parts):
        return None
    return Path(*parts[:-1], parts[-1] + ".png")


def encode_png(mask: np.ndarray, binary: bool) -> bytes:
    """Single-channel PNG bytes: 0/255 when binary, class ids otherwise."""
    labels = np.asarray(mask, np.uint8)
    if binary:
        labels = np.where(labels > 0, 255, 0).astype(np.uint8)
    ok, encoded = cv2.imencode(".png", labels)
    if not ok:
        raise RuntimeError("OpenCV could not encode the mask as PNG")
    return encoded.tobytes()


def read_user_mask(path: str | Path, binary: bool) -> np.ndarray:
    """A saved mask as class ids (binary masks come back as 0/1)."""
    from core.data.images import decode_file  # checks the header's size before decoding

    labels = decode_file(path)
    if labels.ndim == 3:
        labels = labels[:, :, 0]
    labels = labels.astype(np.uint8)
    return (labels > 127).astype(np.uint8) if binary else labels


class MaskStore:
    """Reads and writes user masks under ``masks_dir``."""

    def __init__(self, masks_dir: str | Path, overwrite_foreign: bool = False):
        self.masks_dir = Path(masks_dir)
        self.overwrite_foreign = overwrite_foreign

    def path(self, item_id: str) -> Path:
        return self.masks_dir / mask_filename(item_id)

    def saved_path(self, item_id: str) -> Path | None:
        """The item's mask file if one is saved (under its name, else its pre-injective name)."""
        path = self.path(item_id)
        if path.is_file():
            return path
        legacy = legacy_mask_filename(item_id)
        legacy = None if legacy is None else self.masks_dir / legacy
        return legacy if legacy is not None and legacy != path and legacy.is_file() else None

    def has_mask(self, item_id: str) -> bool:
        return self.saved_path(item_id) is not None

    def load(self, item_id: str, binary: bool) -> np.ndarray | None:
        path = self.saved_path(item_id)
        return read_user_mask(path, binary) if path is not None else None

    def save(self, item_id: str, mask: np.ndarray, binary: bool) -> Path:
        """Write the mask atomically; the old file stays whole if anything fails."""
        self._claim_folder()
        path = self.path(item_id)
        atomic_write_bytes(path, encode_png(mask, binary))
        return path

    def saved_ids(self) -> list[str]:
        """Ids of every mask saved here (sub-folders become ``a/b`` ids)."""
        if not self.masks_dir.is_dir():
            return []
        ids = []
        for path in sorted(self.masks_dir.rglob("*.png")):
            relative = path.relative_to(self.masks_dir)
            if not any(part.startswith(".") for part in relative.parts):
                ids.append(unquote(relative.with_suffix("").as_posix()))
        return ids

    def _claim_folder(self) -> None:
        """Refuse a folder of someone else's images (the dataset's masks) unless allowed."""
        marker = self.masks_dir / MARKER
        if marker.exists():
            return
        if self.masks_dir.is_dir() and not self.overwrite_foreign:
            foreign = [p for p in self.masks_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES]
            if foreign:
                raise DataError(self.masks_dir, "already holds masks that CNN-Lytical did not write "
                                "(the dataset's own?); choose another masks folder")
        self.masks_dir.mkdir(parents=True, exist_ok=True)
        marker.write_text("Masks drawn in CNN-Lytical. They take precedence over the dataset's masks.\n")
