"""SampleLoader: decoded images for the viewer, off the UI thread, kept for the next click.

Decoding a 1918x1280 Carvana JPEG and its GIF mask takes ~100 ms or more on the UI
thread, which made every thumbnail click feel slow. Here a click on an image
already decoded is answered at once from a small cache (by bytes, least recently
used first out); otherwise ``loaded(item, sample, qimage)`` arrives from a worker
while the viewer shows a placeholder, and the neighbours in the browser's order
are decoded next, so stepping through the list hits the cache. The QImage for the
view is built in the worker too (QImage, unlike QPixmap, may be).

In-memory datasets (demo data, packed MNIST/CIFAR arrays) decode in microseconds:
they are read inline, without the round trip through a thread.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QObject, Signal

from gui.images import to_qimage
from gui.workers import TaskRunner, single_thread_pool

CACHE_BYTES = 256 * 1024 * 1024  # ~25 Carvana images with masks
PREFETCH_NEIGHBOURS = 2          # items after (and before) the current one


def is_in_memory(dataset) -> bool:
    """Arrays already decoded (``ArrayDataset.images``: one array, or a list of them)."""
    return isinstance(getattr(dataset, "images", None), (np.ndarray, list))


def decode(dataset, item: int):
    """(item, sample, qimage): everything the viewer needs, built in the calling thread."""
    sample = dataset[item]
    return item, sample, to_qimage(np.asarray(sample.image))


def _size_of(sample) -> int:
    target = sample.target if isinstance(sample.target, np.ndarray) else None
    return np.asarray(sample.image).nbytes * 2 + (0 if target is None else target.nbytes)


class SampleLoader(QObject):
    """Signals: ``loaded(item, sample, qimage)``, ``failed(item, message)``."""

    loaded = Signal(int, object, object)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None, cache_bytes: int = CACHE_BYTES):
        super().__init__(parent)
        self.dataset = None
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[int, tuple] = OrderedDict()
        self._bytes = 0
        self._wanted: int | None = None
        self._prefetch: list[int] = []
        self.pool = single_thread_pool(self)
        self._runner = TaskRunner(self.pool, self)
        self._runner.finished.connect(self._on_decoded)
        self._runner.failed.connect(self._on_failed)

    def set_dataset(self, dataset) -> None:
        self.dataset = dataset
        self._runner.cancel_pending()
        self._cache.clear()
        self._bytes = 0
        self._wanted, self._prefetch = None, []

    def cached(self, item: int):
        """(sample, qimage) when ready now (cache or in-memory data), else None."""
        if item in self._cache:
            self._cache.move_to_end(item)
            return self._cache[item]
        if self.dataset is not None and is_in_memory(self.dataset):
            _, sample, image = decode(self.dataset, item)
            return sample, image
        return None

    def request(self, item: int, neighbours: list[int] | None = None) -> None:
        """Decode ``item`` (``loaded`` follows), then prefetch ``neighbours``; latest wins."""
        self._wanted = item
        self._prefetch = [n for n in (neighbours or []) if n != item]
        self._submit(item)

    def prefetch(self, items: list[int]) -> None:
        """Decode these in the background, in order, unless cached (after a cache hit)."""
        if self.dataset is None or is_in_memory(self.dataset):
            return
        self._prefetch = [item for item in items if item not in self._cache]
        if not self._runner.busy:
            self._next_prefetch()

    def _submit(self, item: int) -> None:
        dataset = self.dataset
        self._runner.submit(lambda: decode(dataset, item))

    def _on_decoded(self, result) -> None:
        item, sample, image = result
        self._store(item, sample, image)
        if item == self._wanted:
            self._wanted = None
            self.loaded.emit(item, sample, image)
        self._next_prefetch()

    def _on_failed(self, message: str) -> None:
        item, self._wanted = self._wanted, None
        if item is not None:
            self.failed.emit(item, message)
        self._next_prefetch()

    def _next_prefetch(self) -> None:
        while self._prefetch and self._wanted is None:
            item = self._prefetch.pop(0)
            if item not in self._cache:
                self._submit(item)
                return

    def _store(self, item: int, sample, image) -> None:
        if item in self._cache:
            return
        self._cache[item] = (sample, image)
        self._bytes += _size_of(sample)
        while self._bytes > self.cache_bytes and len(self._cache) > 1:
            _, (old, _image) = self._cache.popitem(last=False)
            self._bytes -= _size_of(old)

    def is_cached(self, item: int) -> bool:
        return item in self._cache

    def wait(self) -> None:
        """Block until the worker is idle (its results still arrive as queued signals)."""
        self.pool.waitForDone()
