"""Fixtures shared by the main-window tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def open_main_window(qtbot, isolated_settings, tmp_path, monkeypatch):
    """``open_main_window(task, demo_size=..., data=None)``: a shown 1400x900 window whose
    dataset has finished opening; every window is shut down after the test."""
    from gui.main_window import MainWindow

    monkeypatch.setenv("CNN_LYTICAL_DATA_DIR", str(tmp_path / "user-data"))
    windows: list[MainWindow] = []

    def open_window(task: str | None = "mnist", *, demo_size: int, data: str | None = None):
        window = MainWindow(demo_size=demo_size)
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        windows.append(window)
        with qtbot.waitSignal(window.dataset_shown, timeout=20_000):
            window.open_initial(data, task)
        return window

    yield open_window
    for window in windows:
        window.editor.documents.clear()  # no Save/Discard/Cancel box when qtbot closes the window
        window.shutdown()
