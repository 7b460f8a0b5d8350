"""Deferred widgets: built after the first show, or at once when code asks for them."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from gui.deferred import DeferredWidget

pytestmark = pytest.mark.gui


def test_a_shown_placeholder_builds_its_widget_once(qtbot):
    built = []

    def factory():
        built.append(QLabel("plot"))
        return built[-1]

    holder = DeferredWidget(factory)
    qtbot.addWidget(holder)
    assert not holder.is_built and built == []
    holder.show()
    qtbot.waitUntil(lambda: holder.is_built, timeout=3000)
    assert holder.widget() is built[0] and len(built) == 1
    assert built[0].parent() is holder and built[0].isVisible()


def test_a_hidden_placeholder_can_be_built_soon(qtbot):
    holder = DeferredWidget(lambda: QLabel("tab not shown yet"))
    qtbot.addWidget(holder)
    holder.build_later(10)
    qtbot.waitUntil(lambda: holder.is_built, timeout=3000)
    assert not holder.isVisible()


def test_asking_for_the_widget_builds_it_without_showing(qtbot):
    holder = DeferredWidget(lambda: QLabel("chart"))
    qtbot.addWidget(holder)
    label = holder.widget()
    assert holder.is_built and label.text() == "chart" and holder.widget() is label


def test_the_window_builds_its_plots_after_showing(qtbot, open_main_window):
    window = open_main_window("mnist", demo_size=50)
    hidden = (window.prediction_panel._chart, window.train_panel._confusion)  # page, tab
    assert not any(holder.isVisible() for holder in hidden)
    # built soon after the window shows, not when the first run or prediction needs them
    qtbot.waitUntil(lambda: all(holder.is_built for holder in
                                (window.train_panel._curves, *hidden)), timeout=5000)
    assert window.train_panel.curves.loss_legend.labels()[0] == "batch"
