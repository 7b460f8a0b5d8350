"""What the app remembers between sessions, in QSettings("CNN-Lytical", "CNN-Lytical").

Window geometry and dock layout, the last dataset (path and task) and a short
list of recent datasets. Tests point QSettings at a temporary folder.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

ORGANISATION = APPLICATION = "CNN-Lytical"
MAX_RECENT = 8


def open_settings() -> QSettings:
    return QSettings(ORGANISATION, APPLICATION)


class AppSettings:
    """Typed accessors over QSettings; every value has a safe default."""

    def __init__(self, settings: QSettings | None = None):
        self.settings = settings or open_settings()

    # --- window ---------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        value = self.settings.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self.settings.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.settings.setValue("window/geometry", geometry)
        self.settings.setValue("window/state", state)

    # --- datasets -------------------------------------------------------------
    def last_dataset(self) -> tuple[str | None, str]:
        """(path or None for demo data, task)."""
        path = self.settings.value("data/last_path", "") or None
        task = str(self.settings.value("data/last_task", "mnist") or "mnist")
        return (str(path) if path else None), task

    def set_last_dataset(self, path: str | None, task: str) -> None:
        self.settings.setValue("data/last_path", path or "")
        self.settings.setValue("data/last_task", task)
        if path:
            self.add_recent_dataset(path)

    def recent_datasets(self) -> list[str]:
        value = self.settings.value("data/recent", [])
        if isinstance(value, str):  # QSettings returns a lone string for one-item lists
            value = [value]
        return [str(item) for item in (value or []) if item]

    def add_recent_dataset(self, path: str) -> None:
        recent = [path] + [item for item in self.recent_datasets() if item != path]
        self.settings.setValue("data/recent", recent[:MAX_RECENT])

    def clear_recent_datasets(self) -> None:
        self.settings.setValue("data/recent", [])

    # --- runs -----------------------------------------------------------------
    def last_run(self) -> str | None:
        return str(self.settings.value("run/last", "") or "") or None

    def set_last_run(self, run_dir: str | None) -> None:
        self.settings.setValue("run/last", run_dir or "")

    def sync(self) -> None:
        self.settings.sync()
