"""ProbabilityChart: class probabilities of the current image as a horizontal bar chart.

Class names sit on the vertical axis, one row each, so ten names such as CIFAR's
"automobile" never overlap or get dropped (vertical bars put them side by side
under 30 px wide bars). The predicted class is drawn in the accent colour, the
true class gets a green outline and a "true" tag: a mistake is visible at a glance.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage, QPainter

from gui.plotting import pg

ACCENT = QColor(230, 126, 0)
OTHER = QColor(120, 144, 186)
TRUE_OUTLINE = QColor(30, 160, 70)
ROW_HEIGHT_PX = 20  # enough for one line of tick text per class


class ProbabilityChart(pg.PlotWidget):
    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setXRange(0.0, 1.12, padding=0)
        self.getPlotItem().setLabel("bottom", "probability")
        self.getPlotItem().showGrid(x=True, alpha=0.15)
        self.getPlotItem().invertY(True)  # first class on top, as in a list
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7)
        self.addItem(self.bars)
        self.probabilities = np.empty(0)
        self._tick_names: list[str] | None = None
        self.true_tag = pg.TextItem("true", color=TRUE_OUTLINE, anchor=(0.0, 0.5))
        self.addItem(self.true_tag)
        self.setMinimumHeight(180)

    def set_probabilities(self, probabilities: np.ndarray, class_names: list[str],
                          true_label: int | None) -> None:
        self.probabilities = probabilities = np.asarray(probabilities, np.float64)
        positions = np.arange(len(probabilities))
        top = int(np.argmax(probabilities)) if len(probabilities) else -1
        brushes = [ACCENT if i == top else OTHER for i in positions]
        pens = [pg.mkPen(TRUE_OUTLINE, width=3) if i == true_label else pg.mkPen(None)
                for i in positions]
        self.bars.setOpts(x0=np.zeros(len(positions)), y=positions, width=probabilities,
                          height=0.7, brushes=brushes, pens=pens)
        names = [class_names[i] if i < len(class_names) else str(i) for i in positions]
        if names != self._tick_names:  # axis layout is the slow part: only when classes change
            self._tick_names = names
            self.getPlotItem().getAxis("left").setTicks([list(zip(positions, names))])
            self.setYRange(-0.6, len(probabilities) - 0.4, padding=0)
            self.setMinimumHeight(max(180, ROW_HEIGHT_PX * len(names) + 50))
        if true_label is not None and 0 <= true_label < len(probabilities):
            self.true_tag.setPos(min(1.0, probabilities[true_label] + 0.01), true_label)
            self.true_tag.show()
        else:
            self.true_tag.hide()

    def tick_labels(self) -> list[tuple[str, tuple[float, float, float, float]]]:
        """(text, (x, y, w, h)) of each class name as the axis lays it out (tests, screenshots)."""
        axis = self.getPlotItem().getAxis("left")
        image = QImage(8, 8, QImage.Format.Format_ARGB32)
        painter = QPainter(image)  # the axis measures its text with a painter
        try:
            specs = axis.generateDrawSpecs(painter)
        finally:
            painter.end()
        if specs is None:
            return []
        return [(text, (rect.x(), rect.y(), rect.width(), rect.height()))
                for rect, _flags, text in specs[2]]
