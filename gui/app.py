"""The QApplication, configured once: names (so QSettings finds its file), style.

Plot colours are set where pyqtgraph is first imported (``gui/plotting.py``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from gui.settings import APPLICATION, ORGANISATION
from gui.workers import favour_the_ui_thread

STYLE_SHEET = Path(__file__).resolve().parents[1] / "resources" / "style.qss"


def style_sheet() -> str:
    return STYLE_SHEET.read_text() if STYLE_SHEET.exists() else ""


def create_application(argv: list[str] | None = None) -> QApplication:
    """The running QApplication, creating and styling it if needed (tests already have one)."""
    app = QApplication.instance() or QApplication(["cnn-lytical", *(argv or [])])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("CNN-Lytical")
    app.setStyle("Fusion")
    app.setStyleSheet(style_sheet())
    favour_the_ui_thread()
    return app
