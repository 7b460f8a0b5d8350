"""The panels other parts of the app provide, imported in one place.

The Train panel, the mask editor and the export dialog live in their own
packages (gui.train, gui.annotation, gui.export). While one of them cannot be
imported (for example a broken install), the window still opens and says
what is missing instead of failing.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

log = logging.getLogger(__name__)


def optional_class(module: str, name: str) -> Any | None:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        log.warning("%s.%s is not available: %s", module, name, error)
        return None


def train_panel_class():
    return optional_class("gui.train.panel", "TrainPanel")


def mask_editor_class():
    return optional_class("gui.annotation.editor", "MaskEditor")


def export_dialog_class():
    return optional_class("gui.export.dialog", "ExportDialog")


def unavailable(what: str) -> QWidget:
    label = QLabel(f"{what} is not available in this installation.")
    label.setObjectName("hint")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label
