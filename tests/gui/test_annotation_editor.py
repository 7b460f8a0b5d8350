"""MaskEditor driven like a user: mouse strokes on the canvas, shortcuts, save, recovery."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from core.annotation import Journal, MaskDocument
from core.data.base import ArrayDataset
from gui.annotation.editor import MaskEditor

pytestmark = pytest.mark.gui


def scene_image():
    image = np.full((120, 160, 3), 40, np.uint8)
    image[30:90, 40:120] = (210, 60, 50)
    return image


def car_dataset(root=None):
    image = scene_image()
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[30:90, 40:120] = 1
    return ArrayDataset([image], [mask], "segmentation", "demo", "carvana", ["background", "car"],
                        ids=["car_01"], root=root)


@pytest.fixture
def editor(qtbot, isolated_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LYTICAL_DATA_DIR", str(tmp_path / "user"))
    widget = MaskEditor()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def view_point(editor, x, y):
    return editor.canvas.mapFromScene(QPointF(x + 0.5, y + 0.5))


def drag(editor, points, modifier=Qt.KeyboardModifier.NoModifier):
    viewport = editor.canvas.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, view_point(editor, *points[0]))
    for point in points[1:]:
        QTest.mouseMove(viewport, view_point(editor, *point))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, view_point(editor, *points[-1]))


def test_a_mouse_stroke_paints_and_ctrl_s_saves_it(editor, qtbot, tmp_path):
    editor.set_dataset(car_dataset(), tmp_path / "masks")
    editor.set_item("car_01", scene_image(), np.zeros((120, 160), np.uint8), None)
    editor.options.size.setValue(9)
    with qtbot.waitSignal(editor.mask_modified) as modified:
        drag(editor, [(20, 100), (60, 100), (100, 100), (140, 100)])
    assert modified.args == ["car_01"]
    mask = editor.document.mask
    assert mask[100, 20:141].all() and mask[96:105, 80].all()
    assert mask[90].sum() == 0 and mask[110].sum() == 0
    assert editor.document.history.depth == 1  # the whole drag is one undo step

    editor.canvas.setFocus()
    with qtbot.waitSignal(editor.mask_saved) as saved:
        QTest.keyClick(editor.canvas, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    item_id, path = saved.args
    assert item_id == "car_01" and path == str(tmp_path / "masks" / "car_01.png")
    on_disk = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(on_disk, mask * 255)
    assert not editor.modified_ids()


def test_shortcuts_pick_tools_resize_the_brush_and_undo(editor, qtbot):
    editor.set_item("a", scene_image(), None, None)
    editor.canvas.setFocus()
    QTest.keyClick(editor.canvas, Qt.Key.Key_E)
    assert editor.canvas.tool == "eraser" and editor.toolbar.tool_actions["eraser"].isChecked()
    QTest.keyClick(editor.canvas, Qt.Key.Key_B)
    assert editor.canvas.tool == "brush"
    size = editor.canvas.brush_size
    QTest.keyClick(editor.canvas, Qt.Key.Key_BracketRight)
    assert editor.canvas.brush_size > size
    QTest.keyClick(editor.canvas, Qt.Key.Key_BracketLeft)
    QTest.keyClick(editor.canvas, Qt.Key.Key_BracketLeft)
    assert editor.canvas.brush_size < size
    drag(editor, [(80, 60), (90, 60)])
    painted = editor.document.mask.copy()
    assert painted.sum() > 0
    QTest.keyClick(editor.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.document.mask.sum() == 0
    QTest.keyClick(editor.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    np.testing.assert_array_equal(editor.document.mask, painted)


def test_wand_fill_and_polygon_tools_on_the_canvas(editor):
    editor.set_item("a", scene_image(), None, None)
    editor.set_tool("wand")
    drag(editor, [(60, 50)])
    expected = np.zeros((120, 160), np.uint8)
    expected[30:90, 40:120] = 1
    np.testing.assert_array_equal(editor.document.mask, expected)
    editor.set_tool("polygon")
    for point in [(0, 0), (10, 0), (10, 10)]:
        drag(editor, [point])
    editor.canvas.setFocus()
    QTest.keyClick(editor.canvas, Qt.Key.Key_Return)  # Enter closes the polygon
    assert editor.document.mask[1, 5] == 1 and editor.document.mask[9, 1] == 0
    editor.set_tool("fill")
    drag(editor, [(60, 50)], Qt.KeyboardModifier.ShiftModifier)  # Shift erases with the tool
    assert editor.document.mask[30:90, 40:120].sum() == 0


def test_accept_prediction_tab_toggle_and_threshold(editor, qtbot):
    prediction = np.zeros((120, 160), np.float32)
    prediction[10:20, 10:30] = 0.8
    prediction[50:60, 50:60] = 0.4
    editor.set_item("a", scene_image(), None, prediction)
    editor.canvas.setFocus()
    QTest.keyClick(editor.canvas, Qt.Key.Key_A)
    assert editor.document.mask.sum() == 200
    editor.options.threshold.setValue(30)
    editor.accept_prediction()
    assert editor.document.mask.sum() == 300
    assert editor.options.show_label.isChecked() and editor.options.show_prediction.isChecked()
    QTest.keyClick(editor.canvas, Qt.Key.Key_Tab)
    assert not editor.canvas.label_layer.isVisible() and editor.canvas.prediction_layer.isVisible()
    QTest.keyClick(editor.canvas, Qt.Key.Key_Tab)
    assert editor.canvas.label_layer.isVisible() and not editor.canvas.prediction_layer.isVisible()


def test_user_mask_wins_and_train_on_corrections_saves_first(editor, qtbot, tmp_path):
    dataset = car_dataset(root=str(tmp_path / "data"))
    editor.set_dataset(dataset, None)
    assert editor.masks_dir == tmp_path / "data" / ".annotations" / "masks"
    editor.set_item("car_01", scene_image(), dataset[0].target, None)
    editor.set_tool("rectangle")
    drag(editor, [(0, 0), (5, 5)])
    with qtbot.waitSignal(editor.train_on_corrections_requested) as requested:
        editor.toolbar.train.trigger()
    assert requested.args == [str(editor.masks_dir)]
    saved = cv2.imread(str(editor.masks_dir / "car_01.png"), cv2.IMREAD_UNCHANGED)
    assert saved[0:6, 0:6].min() == 255 and saved[30:90, 40:120].min() == 255

    other = MaskEditor()
    qtbot.addWidget(other)
    other.set_dataset(dataset, None)
    other.set_item("car_01", scene_image(), dataset[0].target, None)
    assert other.document.mask[0:6, 0:6].all()  # the saved user mask, not the dataset's


def test_recovery_banner_brings_back_journaled_edits(editor, qtbot, tmp_path):
    masks_dir = tmp_path / "masks"
    crashed = MaskDocument("car_01", np.zeros((120, 160), np.uint8), ["background", "car"],
                           recorder=Journal(masks_dir))
    crashed.begin_stroke(1, 4)
    crashed.extend_stroke((30, 30))
    crashed.end_stroke()
    crashed.recorder.close()
    with qtbot.waitSignal(editor.mask_modified) as modified:
        editor.set_dataset(car_dataset(), masks_dir)
        assert editor.banner.isVisible()
        editor.banner.recover_button.click()
    assert modified.args == ["car_01"] and not editor.banner.isVisible()
    editor.set_item("car_01", scene_image(), None, None)
    np.testing.assert_array_equal(editor.document.mask, crashed.mask)
    assert editor.save() is not None
    editor.journal.flush()  # the journal writes (and deletes) in its own thread
    assert not (masks_dir / ".journal").exists() or not list((masks_dir / ".journal").iterdir())


def test_a_dab_recolours_only_its_rectangle_of_the_overlay(editor):
    editor.set_item("a", scene_image(), None, None)
    layer = editor.canvas.label_layer
    refreshed = []
    original = layer.update_region
    layer.update_region = lambda region: (refreshed.append(region), original(region))
    before = layer.buffer.copy()
    editor.options.size.setValue(5)
    editor.canvas.dab(50, 60)
    assert len(refreshed) == 1 and refreshed[0] is not None
    region = refreshed[0]
    assert (region.bottom - region.top, region.right - region.left) == (5, 5)
    changed = np.argwhere((layer.buffer != before).any(axis=2))
    assert changed[:, 0].min() >= region.top and changed[:, 0].max() < region.bottom
    assert changed[:, 1].min() >= region.left and changed[:, 1].max() < region.right


def noisy_scene():
    rng = np.random.default_rng(0)
    image = rng.normal(60, 10, (120, 160, 3)).clip(0, 255).astype(np.uint8)
    image[30:90, 40:120] = rng.normal((200, 50, 40), 10, (60, 80, 3)).clip(0, 255).astype(np.uint8)
    return image


def test_grabcut_box_runs_off_the_ui_thread_and_seed_strokes_refine_it(editor, qtbot):
    editor.set_item("a", noisy_scene(), None, None)
    editor.set_tool("grabcut")
    with qtbot.waitSignal(editor.canvas.grabcut.finished, timeout=10000):
        drag(editor, [(30, 20), (130, 100)])
    truth = np.zeros((120, 160), bool)
    truth[30:90, 40:120] = True
    mask = editor.document.mask.astype(bool)
    assert (mask & truth).sum() / (mask | truth).sum() > 0.95
    assert editor.document.history.depth == 1

    editor.options.size.setValue(3)
    control_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    with qtbot.waitSignal(editor.canvas.grabcut.finished, timeout=10000):
        drag(editor, [(60, 30), (60, 89)], control_shift)  # "this column is background"
    assert editor.document.mask[30:90, 60].sum() == 0
    assert editor.document.mask[30:90, 100].all()
    assert editor.document.history.depth == 1  # the refinement replaced the first cut


def test_reopening_the_same_dataset_keeps_unsaved_edits_and_history(editor, tmp_path):
    dataset = car_dataset()
    editor.set_dataset(dataset, tmp_path / "masks")
    editor.set_item("car_01", scene_image(), None, None)
    editor.canvas.dab(10, 10)
    editor.set_dataset(dataset, tmp_path / "masks")
    editor.set_item("car_01", scene_image(), None, None)
    assert editor.modified_ids() == ["car_01"] and editor.document.history.depth == 1
    editor.set_dataset(dataset, tmp_path / "other")     # another folder: edits wait in the first one's journal
    assert editor.modified_ids() == [] and not editor.banner.isVisible()
    editor.set_dataset(dataset, tmp_path / "masks")
    assert editor.banner.isVisible() and editor.recoverable == ["car_01"]


def test_recovered_edits_can_be_undone_back_to_the_saved_mask(editor, qtbot, tmp_path):
    masks_dir = tmp_path / "masks"
    crashed = MaskDocument("car_01", np.zeros((120, 160), np.uint8), ["background", "car"],
                           recorder=Journal(masks_dir))
    for x in (30, 60):
        crashed.begin_stroke(1, 4)
        crashed.extend_stroke((x, 30))
        crashed.end_stroke()
    crashed.recorder.close()
    editor.set_dataset(car_dataset(), masks_dir)
    editor.recover_journal()
    editor.set_item("car_01", scene_image(), None, None)
    assert editor.document.history.depth == 2
    editor.undo()
    with qtbot.waitSignal(editor.mask_unmodified) as unmodified:
        editor.undo()
    assert unmodified.args == ["car_01"] and editor.document.mask.sum() == 0 and not editor.modified_ids()


class FakeMarks:
    def __init__(self):
        self.calls = []

    def mark_edit(self, item_id, state, path=None):
        self.calls.append((item_id, state))


def test_the_edited_dot_follows_undo_back_to_the_saved_mask(editor, tmp_path):
    from types import SimpleNamespace

    from gui.browser.edit_marks import MODIFIED, SAVED, link_editor

    browser = SimpleNamespace(model=FakeMarks())
    link_editor(editor, browser)
    editor.set_dataset(car_dataset(), tmp_path / "masks")
    editor.set_item("car_01", scene_image(), None, None)
    editor.canvas.dab(10, 10)
    editor.undo()
    assert browser.model.calls == [("car_01", MODIFIED), ("car_01", None)]  # no saved mask: no mark
    editor.canvas.dab(10, 10)
    editor.save()
    editor.canvas.dab(50, 50)
    editor.undo()
    assert browser.model.calls[-3:] == [("car_01", SAVED), ("car_01", MODIFIED), ("car_01", SAVED)]
    editor.journal.flush()
    assert not (tmp_path / "masks" / ".journal").exists() or not list((tmp_path / "masks" / ".journal").iterdir())


@pytest.mark.parametrize("answer", ["Cancel", "Save", "Discard"])
def test_closing_with_unsaved_masks_asks_save_discard_or_cancel(editor, tmp_path, monkeypatch, answer):
    from PySide6.QtWidgets import QMessageBox

    import gui.annotation.editor as editor_module

    asked = []
    monkeypatch.setattr(editor_module, "ask_save_discard_cancel",
                        lambda parent, text, details: asked.append(text) or getattr(QMessageBox.StandardButton, answer))
    editor.set_dataset(car_dataset(), tmp_path / "masks")
    assert editor.confirm_close() and not asked  # nothing unsaved: no question
    editor.set_item("car_01", scene_image(), None, None)
    editor.canvas.dab(10, 10)
    assert editor.confirm_close() == (answer != "Cancel")
    assert asked == ["1 image has unsaved mask edits."]
    assert (tmp_path / "masks" / "car_01.png").exists() == (answer == "Save")
    assert bool(editor.modified_ids()) == (answer == "Cancel")
    editor.set_dataset(car_dataset(), tmp_path / "other")
    editor.set_dataset(car_dataset(), tmp_path / "masks")
    assert bool(editor.recoverable) == (answer == "Cancel")  # Discard also forgets the journal


def test_a_new_tool_is_one_class_plus_one_row_in_the_mode_table(qtbot, monkeypatch, isolated_settings):
    from gui.annotation.tools import table
    from gui.annotation.tools.base import CanvasTool

    class StampTool(CanvasTool):
        def press(self, event):
            x, y = event.pixel
            self.canvas.paint_selection(rectangle_selection(self.canvas.document.shape, x, y), event.shift)

    def rectangle_selection(shape, x, y):
        from core.annotation import rectangle
        return rectangle(shape, (x - 1, y - 1), (x + 1, y + 1))

    row = table.ToolMode("stamp", "Stamp", "K", "Stamp a 3x3 square", StampTool)
    monkeypatch.setattr(table, "TOOL_MODES", table.TOOL_MODES + (row,))
    widget = MaskEditor()
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_item("a", scene_image(), None, None)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)
    widget.canvas.setFocus()
    QTest.keyClick(widget.canvas, Qt.Key.Key_K)
    assert widget.canvas.tool == "stamp" and widget.toolbar.tool_actions["stamp"].isChecked()
    assert "(K)" in widget.toolbar.tool_actions["stamp"].toolTip()
    drag(widget, [(20, 20)])
    assert widget.document.mask.sum() == 9 and widget.document.history.depth == 1


def test_the_editor_never_scrolls_sideways_and_keeps_its_commands_visible(editor, qtbot):
    editor.set_dataset(car_dataset(), None)
    editor.banner.text.setText("Unsaved edits of 3 images survived the last session (in "
                               + "/a/very/long/folder/name" * 6 + ").")
    editor.banner.setVisible(True)
    editor.resize(560, 600)
    qtbot.wait(50)
    assert editor.minimumSizeHint().width() <= 560
    for button in (editor.banner.recover_button, editor.banner.discard_button, editor.options.train_button,
                   editor.options.save_button):
        corner = button.mapTo(editor, button.rect().bottomRight())
        assert button.isVisible() and corner.x() <= editor.width() and corner.y() <= editor.height()
    assert editor.canvas.width() >= 560 - editor.toolbar.width() - 1
