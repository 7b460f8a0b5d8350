"""Thumbnail decoding in pool threads, newest requests first.

The list view asks for the thumbnails it paints; requests go on a stack so the
rows the user is looking at now are decoded before rows scrolled past. The
stack is capped: when the user flies through thousands of rows, the oldest
requests are dropped (and may be asked for again later).
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage

from core.data.preview import preview
from gui.images import thumbnail, to_qimage
from gui.workers import lower_thread_priority

MAX_WAITING = 400      # requests kept; older ones are dropped
BATCH_SECONDS = 0.04   # deliver at least this often, to keep the UI thread's share small
BATCH_ITEMS = 32


class _Signals(QObject):
    decoded = Signal(int, list)  # generation, [(index, QImage | None, target label | None)]


class _Drain(QRunnable):
    def __init__(self, loader: "ThumbnailLoader"):
        super().__init__()
        self.loader = loader

    def run(self) -> None:
        self.loader._drain()


class ThumbnailLoader(QObject):
    """Decodes ``dataset[i].image`` into ``size`` px QImages; emits ``loaded`` in batches."""

    loaded = Signal(list)  # [(index, QImage | None, label | None)]

    def __init__(self, size: int, threads: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        self.size = size
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max(1, threads))
        self._lock = threading.Lock()
        self._stack: list[int] = []
        self._pending: set[int] = set()   # waiting or being decoded, not yet delivered
        self._active = 0
        self._generation = 0
        self._dataset = None
        self._signals = _Signals(self)
        self._signals.decoded.connect(self._deliver)

    def set_dataset(self, dataset) -> None:
        with self._lock:
            self._generation += 1
            self._dataset = dataset
            self._stack.clear()
            self._pending.clear()

    def request(self, index: int) -> None:
        with self._lock:
            if self._dataset is None or index in self._pending:
                return
            self._stack.append(index)
            self._pending.add(index)
            if len(self._stack) > MAX_WAITING:
                self._pending.discard(self._stack.pop(0))
            if self._active < self.pool.maxThreadCount():
                self._active += 1
                self.pool.start(_Drain(self))

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)

    def shutdown(self) -> None:
        self.set_dataset(None)
        self.pool.waitForDone()

    def _take(self) -> tuple[int, object, list[int]]:
        with self._lock:
            taken = self._stack[-BATCH_ITEMS:][::-1]
            del self._stack[len(self._stack) - len(taken):]
            if not taken:
                self._active -= 1
            return self._generation, self._dataset, taken

    def _drain(self) -> None:
        lower_thread_priority()
        while True:
            generation, dataset, indices = self._take()
            if not indices:
                return
            batch, started = [], time.perf_counter()
            for position, index in enumerate(indices):
                batch.append(self._decode(dataset, index))
                if time.perf_counter() - started > BATCH_SECONDS:
                    with self._lock:  # give the rest back: newer requests may have come in
                        if generation == self._generation:
                            self._stack.extend(indices[position + 1:][::-1])
                    break
            self._signals.decoded.emit(generation, batch)

    def _decode(self, dataset, index: int) -> tuple[int, QImage | None, int | None]:
        try:
            small, label = preview(dataset, index, self.size)  # reduced decode, no mask read
            return index, to_qimage(thumbnail(small, self.size)), label
        except Exception:  # an unreadable file shows as a blank tile, the browser stays usable
            return index, None, None

    @Slot(int, list)
    def _deliver(self, generation: int, batch: list) -> None:
        with self._lock:
            if generation != self._generation:
                return
            for index, _, _ in batch:
                self._pending.discard(index)
        self.loaded.emit(batch)
