"""Entering Annotate hides the docks not needed for drawing; leaving brings back exactly those."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from gui.annotation.workspace import AnnotateWorkspace

pytestmark = pytest.mark.gui


def test_workspace_hides_visible_docks_and_restores_only_those(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.setCentralWidget(QLabel("canvas"))
    docks = {}
    for name in ("train", "prediction", "inspector"):
        docks[name] = QDockWidget(name, window)
        docks[name].setWidget(QLabel(name))
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, docks[name])
    window.show()
    qtbot.waitExposed(window)
    docks["inspector"].close()  # the user closed it before annotating
    workspace = AnnotateWorkspace(list(docks.values()))

    workspace.follow(True)
    assert not any(dock.isVisible() for dock in docks.values())
    docks["prediction"].toggleViewAction().trigger()  # View menu while annotating
    assert docks["prediction"].isVisible()
    workspace.follow(False)
    assert docks["train"].isVisible() and docks["prediction"].isVisible()
    assert not docks["inspector"].isVisible()  # still the user's choice
    workspace.follow(False)  # leaving twice changes nothing
    assert docks["train"].isVisible()
