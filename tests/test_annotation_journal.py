"""The crash journal: a process killed with SIGKILL loses at most the stroke in progress."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from core.annotation import Journal, MaskDocument, discard, find_recoverable, recover
from core.annotation.journal import journal_path, read_records

ROOT = Path(__file__).resolve().parents[1]

STROKES = [[(5, 5), (40, 5), (40, 30)], [(10, 50), (60, 50)], [(30, 10), (30, 60)]]


def apply_strokes(doc, strokes, value=1):
    for points in strokes:
        doc.begin_stroke(value, 3)
        for point in points:
            doc.extend_stroke(point)
        doc.end_stroke()


CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, sys.argv[2])
    from core.annotation import Journal, MaskDocument
    from test_annotation_journal import STROKES, apply_strokes, start_mask
    doc = MaskDocument("train/car 01", start_mask(), recorder=Journal(sys.argv[1]))
    apply_strokes(doc, STROKES)
    doc.undo()                                   # undo is journaled too
    apply_strokes(doc, STROKES[2:], value=0)     # erase along the last stroke
    doc.begin_stroke(1, 5)                       # a stroke in progress when the kill comes
    doc.extend_stroke((70, 70))
    doc.extend_stroke((10, 70))
    print("ready", flush=True)
    time.sleep(60)
""")


def start_mask():
    mask = np.zeros((80, 90), np.uint8)
    mask[60:75, 5:25] = 1
    return mask


def kill_when_ready(script: str, masks_dir) -> int:
    """Run ``script`` (journal folder, tests folder as its arguments), SIGKILL it once it
    prints "ready"; its return code."""
    child = subprocess.Popen([sys.executable, "-c", script, str(masks_dir), str(ROOT / "tests")], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.strip() == "ready", child.stderr.read()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    return child.returncode


def test_killed_process_loses_only_the_stroke_in_progress(tmp_path):
    masks_dir = tmp_path / "masks"
    assert kill_when_ready(CHILD, masks_dir) == -signal.SIGKILL

    expected = MaskDocument("x", start_mask())
    apply_strokes(expected, STROKES)
    expected.undo()
    apply_strokes(expected, STROKES[2:], value=0)
    assert find_recoverable(masks_dir) == ["train/car 01"]
    np.testing.assert_array_equal(recover(masks_dir, "train/car 01"), expected.mask)


def test_torn_last_record_is_ignored_and_later_edits_still_append(tmp_path):
    journal = Journal(tmp_path)
    doc = MaskDocument("a", np.zeros((20, 20), np.uint8), recorder=journal)
    apply_strokes(doc, [[(5, 5)]])
    journal.close()
    path = journal_path(tmp_path, "a")
    good = doc.mask.copy()
    with open(path, "ab") as handle:
        handle.write(b"CLJ1\x10\x00\x00\x00partial")  # what a crash mid-append leaves
    np.testing.assert_array_equal(recover(tmp_path, "a"), good)

    resumed = MaskDocument("a", recover(tmp_path, "a"), recorder=Journal(tmp_path))
    apply_strokes(resumed, [[(15, 15)]])
    np.testing.assert_array_equal(recover(tmp_path, "a"), resumed.mask)


def test_saving_clears_the_journal_and_discard_forgets_it(tmp_path):
    journal = Journal(tmp_path)
    doc = MaskDocument("a", np.zeros((20, 20), np.uint8), recorder=journal)
    other = MaskDocument("b", np.zeros((20, 20), np.uint8), recorder=journal)
    apply_strokes(doc, [[(5, 5)]])
    apply_strokes(other, [[(9, 9)]])
    assert find_recoverable(tmp_path) == ["a", "b"]
    journal.clear("a")
    assert find_recoverable(tmp_path) == ["b"]
    journal.close()
    discard(tmp_path, "b")
    assert find_recoverable(tmp_path) == [] and recover(tmp_path, "b") is None


@pytest.mark.parametrize("count", [1, 30])
def test_recovery_replays_every_edit_in_order(tmp_path, rng, count):
    doc = MaskDocument("a", np.zeros((64, 64), np.uint8), class_names=["bg", "a", "b"], recorder=Journal(tmp_path))
    for _ in range(count):
        points = [tuple(p) for p in rng.integers(0, 64, (3, 2)).astype(float)]
        apply_strokes(doc, [points], value=int(rng.integers(1, 3)))
    np.testing.assert_array_equal(recover(tmp_path, "a"), doc.mask)


def test_the_base_of_a_new_annotation_costs_bytes_not_the_whole_mask(tmp_path):
    doc = MaskDocument("big", np.zeros((3000, 3000), np.uint8), recorder=Journal(tmp_path))
    apply_strokes(doc, [[(1500, 1500)]])
    assert journal_path(tmp_path, "big").stat().st_size < 1000
    np.testing.assert_array_equal(recover(tmp_path, "big"), doc.mask)


BACKGROUND_CHILD = CHILD.replace("recorder=Journal(sys.argv[1]))",
                                 "recorder=Journal(sys.argv[1], background=True))").replace(
    'doc.begin_stroke(1, 5)', 'doc.recorder.flush()\ndoc.begin_stroke(1, 5)')


def test_a_killed_process_keeps_every_edit_its_background_writer_flushed(tmp_path):
    """The editor's journal writes in a thread: once flushed, a SIGKILL loses nothing."""
    assert "background=True" in BACKGROUND_CHILD and "flush()" in BACKGROUND_CHILD
    masks_dir = tmp_path / "masks"
    kill_when_ready(BACKGROUND_CHILD, masks_dir)

    expected = MaskDocument("x", start_mask())
    apply_strokes(expected, STROKES)
    expected.undo()
    apply_strokes(expected, STROKES[2:], value=0)
    np.testing.assert_array_equal(recover(masks_dir, "train/car 01"), expected.mask)


def test_the_background_writer_keeps_edits_and_clears_in_order(tmp_path, rng):
    journal = Journal(tmp_path, background=True)
    doc = MaskDocument("a", np.zeros((64, 64), np.uint8), class_names=["bg", "a", "b"], recorder=journal)
    for _ in range(40):  # many records queued behind each other: replayed in the same order
        points = [tuple(p) for p in rng.integers(0, 64, (3, 2)).astype(float)]
        apply_strokes(doc, [points], value=int(rng.integers(1, 3)))
    journal.flush()
    np.testing.assert_array_equal(recover(tmp_path, "a"), doc.mask)

    journal.clear("a")  # saved: the journal goes, and later edits start it afresh after that
    saved = doc.mask.copy()
    apply_strokes(doc, [[(1, 1)]], value=2)
    journal.close()
    records = read_records(journal_path(tmp_path, "a"))
    assert [meta["kind"] for meta, _ in records] == ["base", "patch"]
    base = MaskDocument("b", saved, class_names=["bg", "a", "b"])
    apply_strokes(base, [[(1, 1)]], value=2)
    np.testing.assert_array_equal(recover(tmp_path, "a"), base.mask)


def test_a_write_error_in_the_background_reaches_the_caller(tmp_path):
    blocked = tmp_path / "masks"
    blocked.write_text("a file where the masks folder should be")
    journal = Journal(blocked, background=True)
    doc = MaskDocument("a", np.zeros((20, 20), np.uint8), recorder=journal)
    apply_strokes(doc, [[(5, 5)]])
    with pytest.raises(OSError):
        journal.flush()
