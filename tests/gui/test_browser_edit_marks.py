"""Thumbnails of images edited in the Annotate tab are marked: unsaved edits, then saved."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from gui.browser.edit_marks import MODIFIED, SAVED
from gui.browser.model import EDIT_STATE_ROLE

pytestmark = pytest.mark.gui


@pytest.fixture
def window(open_main_window):
    return open_main_window("carvana", demo_size=40)


def _row_data(window, item: int, role):
    model = window.browser.model
    return model.data(model.index(model.row_of(item)), role)


def _stroke(editor) -> None:
    viewport = editor.canvas.viewport()
    points = [editor.canvas.mapFromScene(QPointF(x + 0.5, 20.5)) for x in (10, 30, 50)]
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        QTest.mouseMove(viewport, point)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])


def test_drawn_item_is_marked_modified_then_saved_after_ctrl_s(window, qtbot):
    window.browser.select(2)
    qtbot.waitUntil(lambda: window.current_item == 2, timeout=2000)
    window.tabs.setCurrentWidget(window.annotate_page)
    editor = window.editor
    assert editor.item_id == window.dataset.item_id(2)
    assert _row_data(window, 2, EDIT_STATE_ROLE) is None
    plain_icon = _row_data(window, 2, Qt.ItemDataRole.DecorationRole)

    with qtbot.waitSignal(editor.mask_modified):
        _stroke(editor)
    assert _row_data(window, 2, EDIT_STATE_ROLE) == MODIFIED
    assert _row_data(window, 2, Qt.ItemDataRole.DisplayRole).startswith("● ")
    assert "unsaved mask edits" in _row_data(window, 2, Qt.ItemDataRole.ToolTipRole)
    assert _row_data(window, 2, Qt.ItemDataRole.DecorationRole) is not plain_icon  # badged
    assert _row_data(window, 3, EDIT_STATE_ROLE) is None  # only the edited item

    editor.canvas.setFocus()
    with qtbot.waitSignal(editor.mask_saved) as saved:
        QTest.keyClick(editor.canvas, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert _row_data(window, 2, EDIT_STATE_ROLE) == SAVED
    assert _row_data(window, 2, Qt.ItemDataRole.DisplayRole).startswith("✓ ")
    assert saved.args[1] in _row_data(window, 2, Qt.ItemDataRole.ToolTipRole)


def test_saved_user_masks_are_marked_when_the_dataset_opens_again(window, qtbot):
    editor = window.editor
    item_id = window.dataset.item_id(5)
    editor.store.save(item_id, np.ones((8, 8), np.uint8), binary=True)
    with qtbot.waitSignal(window.dataset_shown, timeout=20_000):
        window.open_initial(None, "carvana")
    assert _row_data(window, 5, EDIT_STATE_ROLE) == SAVED
    assert _row_data(window, 4, EDIT_STATE_ROLE) is None
    badge = _row_data(window, 5, Qt.ItemDataRole.DecorationRole).pixmap(72, 72).toImage()
    corner = badge.pixelColor(badge.width() - 11, 17)  # inside the badge, below its tick
    assert corner.green() > 120 and corner.red() < 100  # the green tick badge is painted
