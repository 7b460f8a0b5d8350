"""The Annotate workspace: entering the Annotate tab gives the canvas the window's width and height.

Annotating needs the canvas to be most of the window, so on entering the tab
the docks that are not needed while drawing (Train, Prediction, Review,
Inspector) are hidden; leaving the tab brings back the ones this hid. A dock
the user shows again through View while annotating stays shown, and one the
user closed before stays closed: only what this class hid comes back.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget


class AnnotateWorkspace:
    def __init__(self, docks: list[QDockWidget]):
        self.docks = list(docks)
        self.hidden: list[QDockWidget] = []
        self.active = False

    def enter(self) -> None:
        if self.active:
            return
        self.active = True
        self.hidden = [dock for dock in self.docks if dock.isVisible() and not dock.isFloating()]
        for dock in self.hidden:
            dock.hide()

    def leave(self) -> None:
        if not self.active:
            return
        self.active = False
        for dock in self.hidden:
            dock.show()
        self.hidden = []

    def follow(self, annotating: bool) -> None:
        """Call with whether the Annotate tab is the current one (tabs.currentChanged)."""
        self.enter() if annotating else self.leave()
