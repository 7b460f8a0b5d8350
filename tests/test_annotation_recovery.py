"""Saved state follows the history, journals replay into undo steps, masks read as class ids."""

from __future__ import annotations

import numpy as np
import pytest

from core.annotation import Journal, MaskDocument, as_labels, names_for, rectangle
from core.annotation.recovery import recovered_document


def test_modified_follows_the_history_back_to_the_saved_mask():
    document = MaskDocument("a", np.zeros((20, 20), np.uint8))
    assert not document.modified
    document.paint(rectangle(document.shape, (2, 2), (5, 5)), 1)
    assert document.modified
    document.undo()
    assert not document.modified          # back where editing started
    document.redo()
    document.mark_saved()
    assert not document.modified
    document.paint(rectangle(document.shape, (8, 8), (9, 9)), 1)
    document.undo()
    assert not document.modified          # undone to the save, not to the start
    document.undo()
    assert document.modified              # before the save differs from the file


def test_forgotten_steps_keep_the_mask_modified():
    document = MaskDocument("a", np.zeros((20, 20), np.uint8), budget_bytes=30)
    for k in range(4):
        document.paint(rectangle(document.shape, (k, 0), (k, 5)), 1)
    assert document.history.dropped > 0
    while document.undo() is not None:
        pass
    assert document.mask.any() and document.modified  # cannot reach the saved mask any more


def test_a_journal_replays_into_one_undo_step_per_edit(tmp_path):
    start = np.zeros((30, 40), np.uint8)
    start[0:3, 0:3] = 1
    crashed = MaskDocument("car", start, recorder=Journal(tmp_path))
    crashed.paint(rectangle(crashed.shape, (10, 10), (20, 15)), 1)
    crashed.begin_stroke(0, 2)
    crashed.extend_stroke((12, 12))
    crashed.end_stroke()
    crashed.undo()
    crashed.paint(rectangle(crashed.shape, (30, 20), (35, 25)), 1)
    crashed.recorder.close()

    document = recovered_document(tmp_path, "car", ["background", "car"])
    np.testing.assert_array_equal(document.mask, crashed.mask)
    assert document.modified and document.history.depth == 4  # every journaled step, the undo included
    while document.undo() is not None:
        pass
    np.testing.assert_array_equal(document.mask, start)
    assert not document.modified
    assert recovered_document(tmp_path, "other", ["background", "car"]) is None


def test_masks_read_as_class_ids():
    np.testing.assert_array_equal(as_labels(np.array([[0, 255], [255, 0]], np.uint8), (2, 2), True),
                                  [[0, 1], [1, 0]])
    np.testing.assert_array_equal(as_labels(np.array([[0, 2]], np.uint8), (1, 2), False), [[0, 2]])
    assert as_labels(None, (3, 4), True).shape == (3, 4)
    with pytest.raises(ValueError, match="differs"):
        as_labels(np.zeros((2, 2), np.uint8), (3, 3), True)
    assert names_for(np.array([[0, 3]], np.uint8), ["bg", "a"]) == ["bg", "a", "class 2", "class 3"]
