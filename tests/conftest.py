"""Shared test set-up: offscreen Qt, isolated QSettings, fixed seeds."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def isolated_settings(tmp_path):
    """Point QSettings at tmp_path so tests never read or write the user's settings."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    # QSettings(organisation, application) always uses NativeFormat (INI on Linux), whatever
    # the default format: point that path at tmp_path too.
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield tmp_path / "settings"
