"""Live training curves: loss (per batch and per epoch) above, the task metric below.

pyqtgraph habits: each curve is created once; points go into growing arrays;
``setData`` runs from a ~10 Hz timer only when something changed; downsampling
and clip-to-view keep a long run cheap to draw.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer

from gui.plotting import pg
from gui.train.legend_row import LegendRow
from gui.train.plot_export import save_graphics_png
from gui.train.plot_style import style_plot
from gui.train.series import ExponentialMovingAverage, GrowingSeries

REDRAW_INTERVAL_MS = 100
SIDE_BY_SIDE_ASPECT = 1.5  # width / height above which the two plots sit side by side
MIN_PLOT_HEIGHT_PX = 120  # axes and a readable curve; the legend is in its own row
METRIC_COLOURS = ("#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")


class TrainingCurves(pg.GraphicsLayoutWidget):
    """Two stacked plots sharing the epoch axis; call ``add_batch``/``add_epoch`` from slots."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.loss_legend, self.metric_legend = LegendRow("Loss"), LegendRow("Validation metric")
        self.loss_plot = self.addPlot(row=1, col=0)
        self.metric_plot = self.addPlot(row=3, col=0)
        self.ci.addItem(self.loss_legend, row=0, col=0)
        self.ci.addItem(self.metric_legend, row=2, col=0)
        self.side_by_side = False
        for plot in (self.loss_plot, self.metric_plot):
            style_plot(plot)  # the title sits in the legend row above the plot
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.setMinimumHeight(MIN_PLOT_HEIGHT_PX)
        self.metric_plot.setXLink(self.loss_plot)

        self._series: dict[str, GrowingSeries] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._make_curve("batch_loss", self.loss_plot, "batch",
                         pen=pg.mkPen((31, 119, 180, 60), width=1))
        self._make_curve("smoothed_loss", self.loss_plot, "smoothed",
                         pen=pg.mkPen((31, 119, 180), width=2))
        self._make_curve("train_loss", self.loss_plot, "train",
                         pen=pg.mkPen((255, 127, 14), width=2), symbol="o", symbolSize=6,
                         symbolBrush=(255, 127, 14))
        self._make_curve("val_loss", self.loss_plot, "validation",
                         pen=pg.mkPen((214, 39, 40), width=2), symbol="s", symbolSize=6,
                         symbolBrush=(214, 39, 40))
        self._ema = ExponentialMovingAverage(0.9)
        self._dirty: set[str] = set()
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setInterval(REDRAW_INTERVAL_MS)
        self._redraw_timer.timeout.connect(self.flush)
        self._redraw_timer.start()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        """Plots side by side in a wide, short area (a bottom dock), stacked otherwise.

        Arranged before the view sizes its layout: sized first, the layout kept the
        stacked arrangement's minimum height and the plots' axes fell below the view.
        """
        wide = self.width() > SIDE_BY_SIDE_ASPECT * self.height()
        if wide != getattr(self, "side_by_side", wide):  # also called during construction
            self.side_by_side = wide
            for row, item in enumerate((self.metric_legend, self.metric_plot)):
                self.ci.removeItem(item)
                self.ci.addItem(item, row=row if wide else row + 2, col=1 if wide else 0)
            for column in (0, 1):  # side by side: the two plots share the width equally
                self.ci.layout.setColumnStretchFactor(column, 1 if wide else 0)
        super().resizeEvent(event)

    def _make_curve(self, name: str, plot: pg.PlotItem, label: str, **style) -> None:
        self._series[name] = GrowingSeries()
        self._curves[name] = plot.plot(**style)
        legend = self.loss_legend if plot is self.loss_plot else self.metric_legend
        legend.add(self._curves[name], label)

    def _append(self, name: str, x: float, y: float | None) -> None:
        if y is None or not math.isfinite(y):
            return
        self._series[name].append(x, y)
        self._dirty.add(name)

    # --- feeding -------------------------------------------------------------
    def add_batch(self, epoch_position: float, loss: float) -> None:
        """One batch loss at a fractional epoch (epoch 1 ends at x = 1.0)."""
        self._append("batch_loss", epoch_position, loss)
        self._append("smoothed_loss", epoch_position, self._ema.update(loss))

    def add_epoch(self, epoch: int, train_loss: float, val_loss: float | None,
                  metrics: dict[str, float]) -> None:
        self._append("train_loss", epoch, train_loss)
        self._append("val_loss", epoch, val_loss)
        for key, value in metrics.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self._metric_curve(key)
                self._append(f"metric:{key}", epoch, float(value))

    def add_history(self, curves: dict[str, np.ndarray], metrics: list[str]) -> None:
        """Epochs already in a run's metrics.jsonl (a resumed run keeps its past on the plot)."""
        for row, epoch in enumerate(curves["epoch"]):
            values = {key: float(column[row]) for key, column in curves.items()}
            self.add_epoch(int(epoch), values.get("train_loss"), values.get("val_loss"),
                           {key: values[key] for key in metrics if key in values})

    def _metric_curve(self, key: str) -> None:
        name = f"metric:{key}"
        if name not in self._series:
            colour = METRIC_COLOURS[sum(k.startswith("metric:") for k in self._series)
                                    % len(METRIC_COLOURS)]
            self._make_curve(name, self.metric_plot, key, pen=pg.mkPen(colour, width=2),
                             symbol="o", symbolSize=6, symbolBrush=colour)
            names = self.metric_names()  # many names would widen the plot past its dock
            self.metric_legend.set_title(f"Validation {', '.join(names)}" if len(names) <= 2
                                         else "Validation metrics")

    def start_run(self) -> None:
        """Empty every curve for a new run (curves stay; metric curves of the old run go).

        Not named ``clear``: GraphicsLayoutWidget binds ``clear`` to its layout's
        clear() on the instance, which removes the plots themselves.
        """
        for name in [n for n in self._series if n.startswith("metric:")]:
            curve = self._curves.pop(name)
            self.metric_legend.remove(curve)
            self.metric_plot.removeItem(curve)
            del self._series[name]
        for series in self._series.values():
            series.clear()
        self._ema.reset()
        self.loss_plot.enableAutoRange(x=True)  # until the run says how many epochs it has
        self.metric_legend.set_title("Validation metric")
        self._dirty = set(self._series)
        self.flush()

    # --- drawing -------------------------------------------------------------
    def flush(self) -> None:
        """Push changed series to their curves (the throttled redraw)."""
        for name in self._dirty:
            series = self._series.get(name)
            if series is not None:
                self._curves[name].setData(series.x, series.y)
        self._dirty.clear()

    def set_epoch_span(self, num_epochs: int) -> None:
        """Fix the x axis to the whole run: progress is visible, and axes need no redraw per point."""
        self.loss_plot.setXRange(0.0, float(max(1, num_epochs)), padding=0.02)  # disables x auto-range

    def metric_names(self) -> list[str]:
        return [n.split(":", 1)[1] for n in self._series if n.startswith("metric:")]

    def curve_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The named curve's data as handed to pyqtgraph (before clipping to the view)."""
        curve = self._curves[name]
        x, y = curve.xData, curve.yData
        empty = np.empty(0)
        return (empty if x is None else x), (empty if y is None else y)

    def save_png(self, path: str | Path) -> Path:
        self.flush()
        return save_graphics_png(self.scene(), path)
