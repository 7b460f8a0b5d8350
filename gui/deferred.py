"""A placeholder that builds its real widget later: slow imports wait for the first paint.

The window's plots need pyqtgraph, whose import took ~0.3 s of the start-up (#12): each
plot sits in a ``DeferredWidget`` that builds it shortly after it (or, with
``build_later``, its panel) is first shown, when the window has painted; or at once when
code asks for it (``widget()``), so callers and tests see no difference.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

BUILD_DELAY_MS = 100  # after the first show: the first frame is painted before the import


class DeferredWidget(QWidget):
    """Holds ``factory()``'s widget once built; ``widget()`` builds it on demand."""

    def __init__(self, factory: Callable[[], QWidget], parent: QWidget | None = None):
        super().__init__(parent)
        self._factory = factory
        self._widget: QWidget | None = None
        self._scheduled = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    @property
    def is_built(self) -> bool:
        return self._widget is not None

    def widget(self) -> QWidget:
        if self._widget is None:
            self._widget = self._factory()
            self.layout().addWidget(self._widget)
            self._widget.show()  # a child added to a shown parent stays hidden otherwise
        return self._widget

    def build_later(self, delay_ms: int = BUILD_DELAY_MS) -> None:
        """Build in ``delay_ms`` even while hidden (a page or tab not shown yet): a widget
        built when it is first needed, in the middle of training, stalled the UI ~50 ms."""
        if not self._scheduled and self._widget is None:
            self._scheduled = True
            QTimer.singleShot(delay_ms, self, self.widget)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        self.build_later()
