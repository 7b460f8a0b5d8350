"""The confusion matrix of a classification run, drawn as an image with class names.

Cells are coloured by the row-normalised rate (recall per true class) and show
the raw count, so a rare class's mistakes stay visible.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtGui import QFont

from core.reports import ConfusionReport
from gui.plotting import pg
from gui.train.plot_export import save_graphics_png
from gui.train.plot_style import AXIS_COLOUR, set_title, style_plot

CELL_COLOURS = pg.ColorMap([0.0, 1.0], [(255, 255, 255), (31, 89, 160)])


class ConfusionMatrixView(pg.PlotWidget):
    """Rows = true class (top to bottom), columns = predicted class."""

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.image = pg.ImageItem()
        self.image.setLookupTable(CELL_COLOURS.getLookupTable(nPts=256))
        self.addItem(self.image)
        plot = self.getPlotItem()
        plot.invertY(True)
        plot.setAspectLocked(True)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        style_plot(plot, x_label="predicted")
        plot.showGrid(x=False, y=False)
        plot.setLabel("left", "true", color=AXIS_COLOUR)
        self._labels: list[pg.TextItem] = []
        self.report: ConfusionReport | None = None
        self.show_message("Confusion matrix: shown after a classification run")

    def show_message(self, text: str) -> None:
        self.clear_matrix()
        set_title(self.getPlotItem(), text)

    def clear_matrix(self) -> None:
        self.report = None
        self.image.clear()
        for label in self._labels:
            self.removeItem(label)
        self._labels.clear()

    def set_report(self, report: ConfusionReport) -> None:
        self.clear_matrix()
        self.report = report
        matrix = np.asarray(report.matrix, dtype=np.float64)
        row_totals = np.maximum(matrix.sum(axis=1, keepdims=True), 1.0)
        rates = matrix / row_totals  # (true, predicted)
        self.image.setImage(rates.T, levels=(0.0, 1.0))  # ImageItem's first axis is x
        self._set_ticks(report.class_names)
        self._add_counts(report.matrix, rates)
        set_title(self.getPlotItem(), f"{report.split} · {report.items} items · "
                                      f"accuracy {report.accuracy:.1%}")
        self._fit()

    def _fit(self) -> None:
        if getattr(self, "report", None) is not None:  # resizeEvent comes during __init__ too
            size = len(self.report.class_names)
            self.getPlotItem().setRange(xRange=(0, size), yRange=(0, size), padding=0.02)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit()  # the aspect is locked and the mouse off: keep the whole matrix in view

    def _set_ticks(self, class_names: list[str]) -> None:
        ticks = [[(index + 0.5, name) for index, name in enumerate(class_names)]]
        plot = self.getPlotItem()
        plot.getAxis("bottom").setTicks(ticks)
        plot.getAxis("left").setTicks(ticks)

    def _add_counts(self, counts: np.ndarray, rates: np.ndarray) -> None:
        size = counts.shape[0]
        font = QFont()
        font.setPointSize(8 if size > 12 else 9)
        for true_class in range(size):
            for predicted in range(size):
                count = int(counts[true_class, predicted])
                if count == 0:
                    continue
                colour = "w" if rates[true_class, predicted] > 0.55 else "k"
                label = pg.TextItem(str(count), color=colour, anchor=(0.5, 0.5))
                label.setFont(font)
                label.setPos(predicted + 0.5, true_class + 0.5)
                self.addItem(label)
                self._labels.append(label)

    def save_png(self, path: str | Path) -> Path:
        return save_graphics_png(self.getPlotItem(), path)
