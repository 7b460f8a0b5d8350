"""Scribbles saved beside the masks, so an assisted session can be resumed.

``<masks dir>/.scribbles/<the mask's file name>`` holds each image's scribble
map as a PNG of values 0-2 (SCRIBBLE_CLASSES), written like the masks
(temporary file, then rename, by :class:`MaskStore`), and every stroke is
appended to the crash journal in ``.scribbles/.journal`` until the next save.
The dot folder keeps scribbles out of the masks the trainer reads.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.annotation.journal import Journal, recover
from core.annotation.storage import MaskStore
from core.assist.scribbles import SCRIBBLE_CLASSES, scribble_document
from core.errors import DataError

SCRIBBLES_FOLDER = ".scribbles"


def scribbles_dir(masks_dir: str | Path) -> Path:
    return Path(masks_dir) / SCRIBBLES_FOLDER


class ScribbleStore:
    """Load, journal and save the scribble maps of the images under one masks folder."""

    def __init__(self, masks_dir: str | Path):
        self.folder = scribbles_dir(masks_dir)
        self._store = MaskStore(self.folder)
        self.journal = Journal(self.folder)

    def path(self, item_id: str) -> Path:
        return self._store.path(item_id)

    def load(self, item_id: str, shape: tuple[int, int]) -> np.ndarray | None:
        """The newest scribbles of an image: journaled strokes since the last save, else the saved file.

        None when there are none, or when they were drawn on an image of another size.
        """
        scribbles = recover(self.folder, item_id)
        if scribbles is None:
            scribbles = self._store.load(item_id, binary=False)
        if scribbles is None or scribbles.shape != tuple(shape):
            return None
        if int(scribbles.max(initial=0)) >= len(SCRIBBLE_CLASSES):
            raise DataError(self.path(item_id), f"holds value {int(scribbles.max())}; scribbles are 0, 1 or 2")
        return scribbles

    def document(self, item_id: str, shape: tuple[int, int]):
        """A MaskDocument of the image's scribbles whose every stroke goes to the journal."""
        return scribble_document(item_id, self.load(item_id, shape), shape, recorder=self.journal)

    def save(self, item_id: str, scribbles: np.ndarray) -> Path:
        """Write atomically, then drop the journal those strokes were kept in."""
        path = self._store.save(item_id, scribbles, binary=False)
        self.journal.clear(item_id)
        return path

    def saved_ids(self) -> list[str]:
        return self._store.saved_ids()

    def discard_unsaved(self, item_id: str) -> None:
        self.journal.clear(item_id)

    def close(self) -> None:
        self.journal.close()
