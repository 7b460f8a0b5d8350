"""Bring a crashed session's edits back as history, so Undo walks back through them.

The journal (core/annotation/journal.py) holds the mask editing started from
and each completed edit as a patch. Replaying the patches one by one into a
fresh document gives the recovered mask *and* one undo step per edit; undoing
them all returns to the saved mask, which the document then reports as unmodified.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from core.annotation.document import MaskDocument
from core.annotation.journal import journal_path, read_records
from core.annotation.labels import names_for


def recovered_document(masks_dir: str | Path, item_id: str, class_names: Sequence[str]) -> MaskDocument | None:
    """The journaled edits of ``item_id`` replayed as undo steps, or None when nothing is there.

    The document has no recorder yet: attach the journal after the replay, or
    every replayed step would be journaled twice.
    """
    path = journal_path(masks_dir, item_id)
    records = read_records(path) if path.exists() else []
    if not records or records[0][0]["kind"] != "base":
        return None
    meta, labels = records[0]
    base = np.zeros(meta["mask_shape"], np.uint8)
    base[meta["top"]:meta["top"] + labels.shape[0], meta["left"]:meta["left"] + labels.shape[1]] = labels
    top_class = max([int(base.max(initial=0))] + [int(patch.max(initial=0)) for _, patch in records[1:]])
    document = MaskDocument(item_id, base, names_for(np.array([top_class], np.uint8), class_names))
    for meta, patch in records[1:]:
        document.write_patch(meta["top"], meta["left"], patch)
    return document
