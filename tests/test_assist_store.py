"""Scribbles are saved beside the masks (atomically), journaled per stroke, and restored."""

from __future__ import annotations

import numpy as np
import pytest

import core.atomic
from core.annotation.storage import MaskStore
from core.assist import BACKGROUND, OBJECT, ScribbleStore, scribbles_dir


def draw(document, value, points, radius=1.5):
    document.begin_stroke(value, radius)
    for point in points:
        document.extend_stroke(point)
    document.end_stroke()


def test_saved_scribbles_come_back_and_stay_out_of_the_masks(tmp_path):
    store = ScribbleStore(tmp_path / "masks")
    document = store.document("train/car_01", (30, 40))
    draw(document, OBJECT, [(5, 5), (20, 5)])
    draw(document, BACKGROUND, [(5, 25), (30, 25)])
    path = store.save("train/car_01", document.mask)
    assert path == scribbles_dir(tmp_path / "masks") / "train" / "car_01.png"
    assert path.parent.parent == tmp_path / "masks" / ".scribbles"
    restored = ScribbleStore(tmp_path / "masks").load("train/car_01", (30, 40))
    np.testing.assert_array_equal(restored, document.mask)
    assert set(np.unique(restored)) == {0, BACKGROUND, OBJECT}
    assert MaskStore(tmp_path / "masks").saved_ids() == []  # the trainer never sees scribbles as masks
    assert ScribbleStore(tmp_path / "masks").load("train/car_01", (31, 40)) is None  # another image size


def test_unsaved_strokes_survive_a_crash_through_the_journal(tmp_path):
    store = ScribbleStore(tmp_path / "masks")
    document = store.document("car", (20, 20))
    draw(document, OBJECT, [(3, 3), (10, 3)])
    store.save("car", document.mask)
    draw(document, BACKGROUND, [(3, 15), (15, 15)])  # journaled, not saved
    expected = document.mask.copy()
    # no close(): the process died
    restored = ScribbleStore(tmp_path / "masks").document("car", (20, 20))
    np.testing.assert_array_equal(restored.mask, expected)
    assert restored.history.depth == 0  # a fresh session starts a fresh undo history


def test_a_failed_save_keeps_the_previous_file_whole(tmp_path, monkeypatch):
    store = ScribbleStore(tmp_path / "masks")
    first = np.zeros((10, 10), np.uint8)
    first[2, 2:8] = OBJECT
    path = store.save("car", first)
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(core.atomic.os, "fsync", disk_full)
    with pytest.raises(OSError):
        store.save("car", np.full((10, 10), BACKGROUND, np.uint8))
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
