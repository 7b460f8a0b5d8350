"""ElidedLabel: one line that ends in "…" when too long, the whole text in its tooltip.

A plain QLabel with an ignored width just cuts its text ("…mask is 50"), and
the rest of an error message cannot be read anywhere.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent=None):
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def text(self) -> str:
        """The whole text (what is drawn may be shorter: ``shown_text``)."""
        return self.full_text

    def shown_text(self) -> str:
        return super().text()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(0, self.contentsRect().width())
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, width)
        super().setText(shown)
