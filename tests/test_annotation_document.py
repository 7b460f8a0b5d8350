"""MaskDocument: strokes as single undo steps, undo/redo sequences, the memory budget."""

from __future__ import annotations

import numpy as np
import pytest

from core.annotation import MaskDocument, Region, rectangle
from core.annotation.history import Edit, History


def stroke(doc, points, value=1, radius=1.0):
    doc.begin_stroke(value, radius)
    for point in points:
        doc.extend_stroke(point)
    return doc.end_stroke()


def test_a_whole_stroke_is_one_undo_step():
    doc = MaskDocument("a", np.zeros((20, 20), np.uint8))
    region = stroke(doc, [(2, 2), (10, 2), (10, 10)])
    assert doc.history.depth == 1
    assert doc.mask[2, 6] == 1 and doc.mask[6, 10] == 1
    assert region == Region(1, 1, 12, 12)
    doc.undo()
    assert doc.mask.sum() == 0
    doc.redo()
    assert doc.mask[2, 6] == 1 and doc.mask[6, 10] == 1


def test_undo_stores_only_the_changed_box():
    doc = MaskDocument("a", np.zeros((1000, 1000), np.uint8))
    stroke(doc, [(500, 500), (520, 500)], radius=2)
    edit = doc.history._undo[-1]
    assert edit.before.shape == (5, 25)
    assert (edit.top, edit.left) == (498, 498)
    assert doc.history.nbytes == 2 * 5 * 25


def test_stroke_crossing_tiles_restores_exactly_on_undo(rng):
    start = (rng.random((600, 600)) > 0.5).astype(np.uint8)
    doc = MaskDocument("a", start)
    stroke(doc, [(10, 10), (590, 300), (20, 580)], value=0, radius=9)
    stroke(doc, [(300, 10), (300, 590)], value=1, radius=30)
    assert not np.array_equal(doc.mask, start)
    doc.undo()
    doc.undo()
    np.testing.assert_array_equal(doc.mask, start)


def test_undo_redo_sequence_and_new_edit_clears_redo():
    doc = MaskDocument("a", np.zeros((10, 10), np.uint8), class_names=["bg", "car", "road"])
    states = [doc.mask.copy()]
    doc.paint(rectangle((10, 10), (0, 0), (4, 4)), 1)
    states.append(doc.mask.copy())
    stroke(doc, [(7, 7)], value=2, radius=1.5)
    states.append(doc.mask.copy())
    doc.paint(rectangle((10, 10), (2, 2), (8, 2)), 0)
    states.append(doc.mask.copy())
    for expected in reversed(states[:-1]):
        doc.undo()
        np.testing.assert_array_equal(doc.mask, expected)
    assert doc.undo() is None
    doc.redo()
    doc.redo()
    np.testing.assert_array_equal(doc.mask, states[2])
    doc.paint(rectangle((10, 10), (9, 9), (9, 9)), 1)
    assert not doc.history.can_redo
    assert doc.redo() is None
    doc.undo()
    np.testing.assert_array_equal(doc.mask, states[2])


def test_an_edit_that_changes_nothing_is_not_a_step():
    doc = MaskDocument("a", np.ones((5, 5), np.uint8))
    assert stroke(doc, [(2, 2)]) is None
    assert doc.paint(rectangle((5, 5), (0, 0), (4, 4)), 1) is None
    assert doc.history.depth == 0 and not doc.modified


def test_listeners_get_the_dirty_rectangle_of_each_dab():
    doc = MaskDocument("a", np.zeros((50, 50), np.uint8))
    seen = []
    doc.add_listener(seen.append)
    doc.begin_stroke(1, 2)
    doc.extend_stroke((10, 10))
    doc.extend_stroke((12, 10))
    doc.end_stroke()
    assert seen == [Region(8, 8, 13, 13), Region(8, 8, 13, 15)]
    doc.undo()
    assert seen[-1] == Region(8, 8, 13, 15)


def test_replace_keeps_only_the_changed_part():
    doc = MaskDocument("a", np.zeros((100, 100), np.uint8))
    new = np.zeros((100, 100), np.uint8)
    new[40:45, 60:70] = 1
    assert doc.replace(new) == Region(40, 60, 45, 70)
    assert doc.history.nbytes == 2 * 5 * 10
    doc.undo()
    assert doc.mask.sum() == 0


def test_bad_class_values_are_refused():
    doc = MaskDocument("a", np.zeros((5, 5), np.uint8))
    with pytest.raises(ValueError):
        doc.begin_stroke(2, 1)
    with pytest.raises(ValueError):
        MaskDocument("b", np.full((3, 3), 3, np.uint8))


def test_memory_budget_drops_the_oldest_steps_first():
    budget = 3 * (2 * 10 * 10)  # room for exactly three 10x10 edits
    doc = MaskDocument("a", np.zeros((100, 100), np.uint8), budget_bytes=budget)
    for k in range(5):
        doc.paint(rectangle((100, 100), (k * 10, 0), (k * 10 + 9, 9)), 1)
    assert doc.history.depth == 3 and doc.history.dropped == 2
    assert doc.history.nbytes <= budget
    while doc.undo() is not None:
        pass
    # the two oldest rectangles can no longer be undone; the three newest are gone
    assert doc.mask[:10, :20].all() and doc.mask[:, 20:].sum() == 0


def test_history_keeps_a_single_edit_larger_than_the_budget():
    history = History(budget_bytes=10)
    big = Edit(0, 0, np.zeros((10, 10), np.uint8), np.ones((10, 10), np.uint8))
    history.push(big)
    assert history.depth == 1
    history.push(big)
    assert history.depth == 1 and history.dropped == 1
