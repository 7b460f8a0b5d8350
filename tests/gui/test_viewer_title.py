"""A long per-image error in the viewer's title can be read in full (it was cut mid-word)."""

from __future__ import annotations

import pytest

from gui.viewer.panel import ViewerPanel

pytestmark = pytest.mark.gui


def test_long_error_is_elided_with_the_whole_text_in_the_tooltip(qtbot):
    panel = ViewerPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 300)
    panel.show()
    message = ("Cannot show a2dae89fba88_07: mask a2dae89fba88_07_mask.gif is 1918x1279 but the "
               "image is 1918x1280; the mask is 50 rows short of what it should be")
    panel.clear(message)
    qtbot.waitUntil(lambda: panel.title.shown_text().endswith("…"), timeout=2000)

    assert panel.title.text() == message and panel.title.toolTip() == message
    shown = panel.title.shown_text()
    assert len(shown) < len(message)
    assert panel.title.fontMetrics().horizontalAdvance(shown) <= panel.title.width()
    panel.resize(2400, 300)
    qtbot.waitUntil(lambda: panel.title.shown_text() == message, timeout=2000)
