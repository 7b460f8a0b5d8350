"""ProbabilityChart: class probabilities of the current image as a pyqtgraph bar chart.

The predicted class is drawn in the accent colour, the true class gets a green
outline and a "true" tag, so a mistake is visible at a glance.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

ACCENT = QColor(230, 126, 0)
OTHER = QColor(120, 144, 186)
TRUE_OUTLINE = QColor(30, 160, 70)


class ProbabilityChart(pg.PlotWidget):
    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setYRange(0.0, 1.08, padding=0)
        self.getPlotItem().setLabel("left", "probability")
        self.getPlotItem().showGrid(y=True, alpha=0.15)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        self.addItem(self.bars)
        self._tick_names: list[str] | None = None
        self.true_tag = pg.TextItem("true", color=TRUE_OUTLINE, anchor=(0.5, 1.0))
        self.addItem(self.true_tag)
        self.setMinimumHeight(180)

    def set_probabilities(self, probabilities: np.ndarray, class_names: list[str],
                          true_label: int | None) -> None:
        probabilities = np.asarray(probabilities, np.float64)
        positions = np.arange(len(probabilities))
        top = int(np.argmax(probabilities)) if len(probabilities) else -1
        brushes = [ACCENT if i == top else OTHER for i in positions]
        pens = [pg.mkPen(TRUE_OUTLINE, width=3) if i == true_label else pg.mkPen(None)
                for i in positions]
        self.bars.setOpts(x=positions, height=probabilities, brushes=brushes, pens=pens)
        names = [class_names[i] if i < len(class_names) else str(i) for i in positions]
        if names != self._tick_names:  # axis layout is the slow part: only when classes change
            self._tick_names = names
            self.getPlotItem().getAxis("bottom").setTicks([list(zip(positions, names))])
            self.setXRange(-0.6, len(probabilities) - 0.4, padding=0)
        if true_label is not None and 0 <= true_label < len(probabilities):
            self.true_tag.setPos(true_label, min(1.07, probabilities[true_label] + 0.07))
            self.true_tag.show()
        else:
            self.true_tag.hide()
