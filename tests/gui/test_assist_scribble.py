"""The Scribble tool driven like a user: strokes, the live overlay, Accept as one undo step, resume."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from core.assist import BACKGROUND, OBJECT
from core.data.base import ArrayDataset
from gui.annotation.editor import MaskEditor

pytestmark = pytest.mark.gui


def textured_scene() -> tuple[np.ndarray, np.ndarray]:
    """A rough red object on a smooth dark background."""
    rng = np.random.default_rng(0)
    image = np.full((120, 160, 3), 40, np.uint8)
    image[30:90, 40:120] = np.clip(rng.normal((210, 60, 50), 25, (60, 80, 3)), 0, 255).astype(np.uint8)
    truth = np.zeros((120, 160), np.uint8)
    truth[30:90, 40:120] = 1
    return image, truth


def dataset(image, truth):
    return ArrayDataset([image], [truth], "segmentation", "demo", "carvana", ["background", "car"], ids=["car_01"])


@pytest.fixture
def editor(qtbot, isolated_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LYTICAL_DATA_DIR", str(tmp_path / "user"))
    widget = MaskEditor()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.scribbles.shutdown()  # no worker thread outlives the test


def drag(editor, points, modifier=Qt.KeyboardModifier.NoModifier):
    viewport = editor.canvas.viewport()

    def at(x, y):
        return editor.canvas.mapFromScene(QPointF(x + 0.5, y + 0.5))

    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, at(*points[0]))
    for point in points[1:]:
        QTest.mouseMove(viewport, at(*point))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, at(*points[-1]))


def scribble_object_and_background(editor, qtbot):
    QTest.keyClick(editor, Qt.Key.Key_S)  # the Scribble tool's key
    assert editor.canvas.tool == "scribble"
    editor.options.size.setValue(5)
    drag(editor, [(50, 50), (80, 55), (110, 60)])
    with qtbot.waitSignal(editor.scribbles.overlay_ready, timeout=20000):
        drag(editor, [(10, 10), (80, 12), (150, 15), (150, 105)], Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: editor.scribbles.probability is not None, timeout=20000)


def test_scribbles_make_an_overlay_that_accept_turns_into_the_label_in_one_undo_step(editor, qtbot, tmp_path):
    image, truth = textured_scene()
    editor.set_dataset(dataset(image, truth), tmp_path / "masks")
    editor.set_item("car_01", image, None, None)
    scribble_object_and_background(editor, qtbot)
    scribbles = editor.scribbles.document.mask
    assert np.any(scribbles == OBJECT) and np.any(scribbles == BACKGROUND)
    assert not editor.document.mask.any()  # strokes teach the assist; they are not the label
    overlay = editor.scribbles.probability >= 0.5
    assert np.mean(overlay == (truth == 1)) > 0.9
    assert editor.scribbles.assist_layer is not None and editor.scribbles.accept_action.isEnabled()

    steps = editor.document.history.depth
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)  # Accept assist
    assert editor.document.history.depth == steps + 1
    np.testing.assert_array_equal(editor.document.mask, overlay.astype(np.uint8))
    assert editor.canvas.tool == "brush"  # refine with the brush next
    QTest.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not editor.document.mask.any()  # one undo took the whole accept back
    assert np.array_equal(editor.scribbles.document.mask, scribbles)  # and left the strokes alone


def test_ctrl_z_in_the_scribble_tool_undoes_strokes_and_scribbles_are_restored_after_a_restart(
        editor, qtbot, tmp_path):
    image, truth = textured_scene()
    editor.set_dataset(dataset(image, truth), tmp_path / "masks")
    editor.set_item("car_01", image, None, None)
    scribble_object_and_background(editor, qtbot)
    both = editor.scribbles.document.mask.copy()
    with qtbot.waitSignal(editor.scribbles.overlay_ready, timeout=20000):
        QTest.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not np.any(editor.scribbles.document.mask == BACKGROUND)  # the background stroke is gone
    assert editor.scribbles.probability is None  # one class left: nothing to predict
    QTest.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    np.testing.assert_array_equal(editor.scribbles.document.mask, both)
    editor.save()
    editor.scribbles.shutdown()

    reopened = MaskEditor()
    qtbot.addWidget(reopened)
    try:
        reopened.set_dataset(dataset(image, truth), tmp_path / "masks")
        with qtbot.waitSignal(reopened.scribbles.overlay_ready, timeout=20000):
            reopened.set_item("car_01", image, None, None)  # restored strokes retrain the assist at once
        np.testing.assert_array_equal(reopened.scribbles.document.mask, both)
        assert reopened.scribbles.probability is not None
    finally:
        reopened.scribbles.shutdown()
