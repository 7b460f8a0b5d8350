"""Compare runs: overlay the per-epoch curves of two or more run directories.

For example the NumPy engine against its torch twin trained from the same
initial weights: hand-written backprop against autograd, answered with a picture.
Each run has one colour; train loss is dashed, validation loss solid. Runs are
compared within one group: those that report the chosen metric (dice for
segmentation, accuracy for classification), since a Dice+BCE loss and a cross
entropy are not on one scale; the message says which runs are left out. The
legends sit beside the plots, never over the curves.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QSplitter, QVBoxLayout, QWidget)

from core.errors import CnnLyticalError
from core.reports import load_run_curves, metric_names, run_label
from gui.plotting import pg
from gui.train.plot_export import save_graphics_png
from gui.train.plot_style import set_title, style_plot

RUN_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
               "#17becf")
PATH_ROLE = Qt.ItemDataRole.UserRole
LEGEND_WIDTH_PX = 230


class CompareRunsWidget(QWidget):
    """Pick run directories (``add_run``) and see their curves on shared axes."""

    def __init__(self, run_dirs: list[str] | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Compare runs")
        self._curves: dict[str, dict[str, np.ndarray]] = {}
        self._items: dict[tuple[str, str], pg.PlotDataItem] = {}
        self.run_list = QListWidget()
        self.run_list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.run_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # full path in the tooltip
        self.run_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.add_button = QPushButton("Add run…")
        self.remove_button = QPushButton("Remove")
        self.save_button = QPushButton("Save PNG…")
        self.metric_combo = QComboBox()
        self.metric_combo.setToolTip("Metric on the lower plot")
        self.message = QLabel("Add two or more run directories to compare them.")
        self.message.setWordWrap(True)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground("w")
        self.loss_plot = self.plots.addPlot(row=0, col=0)
        self.metric_plot = self.plots.addPlot(row=1, col=0)
        style_plot(self.loss_plot, "Loss (dashed: train, solid: validation)")
        style_plot(self.metric_plot, "Validation metric")
        self.loss_legend = self._side_legend(row=0)
        self.metric_legend = self._side_legend(row=1)
        self.metric_plot.setXLink(self.loss_plot)
        self._layout()
        self.add_button.clicked.connect(self._choose_runs)
        self.remove_button.clicked.connect(self._remove_selected)
        self.save_button.clicked.connect(self._choose_png)
        self.metric_combo.currentTextChanged.connect(lambda _: self._redraw())
        for run_dir in run_dirs or []:
            self.add_run(run_dir)

    def _side_legend(self, row: int) -> pg.LegendItem:
        """A legend in its own column right of the plot: it never covers a curve."""
        holder = self.plots.addViewBox(row=row, col=1, enableMouse=False)
        holder.setFixedWidth(LEGEND_WIDTH_PX)
        legend = pg.LegendItem(labelTextColor="#202020")
        legend.setParentItem(holder)
        legend.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(4, 4))
        return legend

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for widget in (self.add_button, self.remove_button, self.save_button):
            buttons.addWidget(widget)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel("Runs"))
        side_layout.addWidget(self.run_list, 1)
        side_layout.addLayout(buttons)
        side_layout.addWidget(QLabel("Metric"))
        side_layout.addWidget(self.metric_combo)
        side_layout.addWidget(self.message)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(side)
        splitter.addWidget(self.plots)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 860])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # --- runs ------------------------------------------------------------------
    def runs(self) -> list[str]:
        return list(self._curves)

    def add_run(self, run_dir: str | Path) -> None:
        """Load a run's metrics.jsonl; raises RunError when it is not a readable run."""
        path = str(Path(run_dir))
        curves = load_run_curves(path)
        if path not in self._curves:
            item = QListWidgetItem(run_label(path))
            item.setData(PATH_ROLE, path)
            item.setToolTip(path)
            self.run_list.addItem(item)
        self._curves[path] = curves
        if not len(curves["epoch"]):
            self.message.setText(f"{Path(path).name} has no finished epoch yet.")
        self._refresh_metric_choices()
        self._redraw()

    def remove_run(self, run_dir: str | Path) -> None:
        path = str(Path(run_dir))
        self._curves.pop(path, None)
        for row in reversed(range(self.run_list.count())):
            if self.run_list.item(row).data(PATH_ROLE) == path:
                self.run_list.takeItem(row)
        self._refresh_metric_choices()
        self._redraw()

    def _choose_runs(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a run directory")
        if folder:
            try:
                self.add_run(folder)
            except CnnLyticalError as error:
                self.message.setText(str(error))

    def _remove_selected(self) -> None:
        for item in self.run_list.selectedItems():
            self.remove_run(item.data(PATH_ROLE))

    def _refresh_metric_choices(self) -> None:
        names: list[str] = []
        for curves in self._curves.values():
            names += [n for n in metric_names(curves) if n not in names]
        current = self.metric_combo.currentText()
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        self.metric_combo.addItems(names)
        if current in names:
            self.metric_combo.setCurrentText(current)
        self.metric_combo.blockSignals(False)

    # --- drawing ---------------------------------------------------------------
    def shown_runs(self) -> list[str]:
        """The runs drawn: those that report the chosen metric (all when there is none)."""
        metric = self.metric_combo.currentText()
        return [path for path, curves in self._curves.items()
                if not metric or _has(curves, metric)]

    def _redraw(self) -> None:
        for plot in (self.loss_plot, self.metric_plot):
            plot.clear()
        for legend in (self.loss_legend, self.metric_legend):
            legend.clear()
        self._items.clear()
        metric = self.metric_combo.currentText()
        shown = self.shown_runs()
        for index, (path, curves) in enumerate(self._curves.items()):
            if path not in shown:
                continue
            colour = RUN_COLOURS[index % len(RUN_COLOURS)]
            name = Path(path).name
            self._plot(path, "train_loss", self.loss_plot, self.loss_legend, f"{name} train",
                       pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine))
            self._plot(path, "val_loss", self.loss_plot, self.loss_legend, f"{name} val",
                       pg.mkPen(colour, width=2))
            if metric:
                self._plot(path, metric, self.metric_plot, self.metric_legend, name,
                           pg.mkPen(colour, width=2))
        set_title(self.metric_plot, f"Validation {metric}" if metric else "Validation metric")
        self._say_what_is_shown(shown, metric)

    def _say_what_is_shown(self, shown: list[str], metric: str) -> None:
        left_out = [Path(path).name for path in self._curves if path not in shown]
        if left_out:
            self.message.setText(
                f"Showing the {len(shown)} run(s) with {metric}. Not shown: {', '.join(left_out)} "
                f"(another kind of run: its loss is on another scale; choose its metric above).")
        elif len(shown) >= 2:
            self.message.setText(f"{len(shown)} runs overlaid.")

    def _plot(self, path: str, key: str, plot: pg.PlotItem, legend: pg.LegendItem, label: str,
              pen) -> None:
        curves = self._curves[path]
        if not _has(curves, key):
            return
        item = plot.plot(curves["epoch"], curves[key], pen=pen, symbol="o", symbolSize=5,
                         symbolPen=pen, symbolBrush=pen.color(), connect="finite")
        legend.addItem(item, label)
        self._items[(path, key)] = item

    def curve_data(self, run_dir: str | Path, key: str) -> tuple[np.ndarray, np.ndarray]:
        """What is drawn for one run's curve (tests read this)."""
        item = self._items[(str(Path(run_dir)), key)]
        x, y = item.xData, item.yData
        return np.asarray(x), np.asarray(y)

    # --- export ----------------------------------------------------------------
    def save_png(self, path: str | Path) -> Path:
        return save_graphics_png(self.plots.scene(), path)

    def _choose_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save comparison", "compare_runs.png",
                                              "PNG image (*.png)")
        if path:
            try:
                self.message.setText(f"Saved {self.save_png(path)}")
            except CnnLyticalError as error:
                self.message.setText(str(error))


def _has(curves: dict[str, np.ndarray], key: str) -> bool:
    return key in curves and not np.all(np.isnan(curves[key]))
