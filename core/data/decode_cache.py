"""A cache of images and masks already decoded at the working size.

Every epoch otherwise decodes the same JPEGs and GIFs again: for Carvana that
was ~44% of a training epoch. Decoded once at the working size, an item is a
few hundred KB, so a whole dataset usually fits in memory; what does not fit
goes to memory-mapped ``.npy`` files in a cache folder, read back with
``np.load(mmap_mode="r")`` (never pickles).

An entry's key is the file's path, modification time and byte size, plus the
working size and channel count: edit a file, or change the working size, and
the old entry is simply never asked for again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.data.decode import decode_image, decode_mask, image_size, mask_coverage, resize_nearest
from core.data.masks import check_mask_size, check_mask_values

DEFAULT_MEMORY_BYTES = 1 << 30  # 1 GiB of decoded pixels per process before spilling to disk


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/cnn-lytical/decoded`` (``~/.cache/...`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cnn-lytical" / "decoded"


def file_key(path: str | Path, size: tuple[int, int] | None, what: str) -> str:
    """Hex key of (absolute path, mtime, byte size, working size, what)."""
    stat = os.stat(path)
    text = f"{os.path.abspath(path)}|{stat.st_mtime_ns}|{stat.st_size}|{size}|{what}"
    return hashlib.sha1(text.encode()).hexdigest()


@dataclass
class DecodeCache:
    """Decoded images/masks at a working size: memory first, then memory-mapped files.

    ``memory_bytes`` bounds this process's in-memory entries; ``cache_dir``
    (None: memory only) holds the spill files. Safe to pickle into spawned
    DataLoader workers: each worker starts with an empty memory part and shares
    the files.
    """

    size: tuple[int, int] | None
    class_names: list[str] | None = None  # masks holding a value past these are refused
    memory_bytes: int = DEFAULT_MEMORY_BYTES
    cache_dir: Path | None = None
    _memory: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _used: int = 0
    hits: int = 0
    misses: int = 0

    def __getstate__(self):  # workers start empty; the spill files are shared
        state = dict(self.__dict__)
        state.update(_memory={}, _used=0, hits=0, misses=0)
        return state

    def image(self, path: str | Path) -> np.ndarray:
        """uint8 (H, W[, 3]) image at the working size."""
        return self._get(path, "image", lambda: decode_image(path, self.size))

    def mask(self, path: str | Path, image_path: str | Path | None = None) -> np.ndarray:
        """uint8 (H, W) mask at the working size (nearest-neighbour); with
        ``image_path``, a DataError unless the mask covers that image pixel for pixel."""
        return self._get(path, "mask", lambda: resize_nearest(self._full_mask(path, image_path), self.size))

    def coverage(self, path: str | Path, image_path: str | Path | None = None) -> np.ndarray:
        """uint8 (H, W) 0..255 share of each working-size pixel that is object
        (``mask_coverage``): soft training targets for binary masks."""
        return self._get(path, "coverage", lambda: mask_coverage(self._full_mask(path, image_path), self.size))

    def _full_mask(self, path, image_path) -> np.ndarray:
        """The mask at full size, with the checks the dataset makes (size, class values)."""
        mask = decode_mask(path)
        if image_path is not None:
            check_mask_size(mask, np.empty(image_size(image_path), np.uint8), path)
        if self.class_names is not None:
            check_mask_values(mask, self.class_names, path)
        return mask

    def _get(self, path, what: str, decode) -> np.ndarray:
        key = file_key(path, self.size, what)
        cached = self._memory.get(key)
        if cached is None and self.cache_dir is not None:
            cached = self._load_file(key)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        array = np.ascontiguousarray(decode())
        self._store(key, array)
        return array

    def _store(self, key: str, array: np.ndarray) -> None:
        if self._used + array.nbytes <= self.memory_bytes:
            array.setflags(write=False)  # callers get a shared array: it must stay as decoded
            self._memory[key] = array
            self._used += array.nbytes
        elif self.cache_dir is not None:
            self._save_file(key, array)

    def _file(self, key: str) -> Path:
        return Path(self.cache_dir) / key[:2] / f"{key}.npy"

    def _load_file(self, key: str) -> np.ndarray | None:
        path = self._file(key)
        if not path.is_file():
            return None
        try:
            return np.load(path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError):  # a damaged entry is decoded again and replaced
            return None

    def _save_file(self, key: str, array: np.ndarray) -> None:
        """Write the entry through a temporary file renamed into place, so a reader
        never sees half an entry; a full or read-only disk only costs the caching."""
        path = self._file(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as stream:
                    np.save(stream, array, allow_pickle=False)
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            pass

    @property
    def memory_used(self) -> int:
        return self._used


def file_source(dataset, index: int) -> tuple[str, str | None, int | None] | None:
    """(image file, mask file or None, class label or None) behind item ``index``
    of a file dataset (through any split views); None when the item is not plain
    files (packed arrays, run-length masks, user overrides, no label), which then
    decode through the dataset itself."""
    from core.data.base import SplitView
    from core.data.files import FileDataset

    while isinstance(dataset, SplitView):
        index, dataset = int(dataset.indices[index]), dataset.dataset
    if type(dataset) is not FileDataset:
        return None
    image_path = str(dataset.image_paths[index])
    if dataset.labels is not None:
        return image_path, None, int(dataset.labels[index])
    mask_path = dataset.mask_path(index)
    return None if mask_path is None else (image_path, mask_path, None)
