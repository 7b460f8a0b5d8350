"""One look for the Train panel's plots: white background, dark readable axes and titles."""

from __future__ import annotations

from PySide6.QtWidgets import QGraphicsItem

from gui.plotting import pg

AXIS_COLOUR = "#404040"
TITLE_COLOUR = "#202020"
GRID_ALPHA = 0.25


class EpochAxis(pg.AxisItem):
    """Epochs are whole numbers: never put a tick at half an epoch."""

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802, N803 - pyqtgraph's names
        levels = super().tickSpacing(minVal, maxVal, size)
        whole = [(spacing, offset) for spacing, offset in levels if spacing >= 1]
        return whole or [(1.0, 0.0)]


def style_plot(plot: pg.PlotItem, title: str = "", x_label: str = "epoch") -> None:
    """Dark axes and labels (pyqtgraph's defaults are grey on white) and a grid."""
    if x_label == "epoch":
        plot.setAxisItems({"bottom": EpochAxis("bottom")})
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(pg.mkPen(AXIS_COLOUR))
        axis.setTextPen(pg.mkPen(AXIS_COLOUR))
        # the finest tick level doubles the grid lines and tripled a redraw's cost (bench/train_panel.py)
        axis.setStyle(maxTickLevel=1)
        # the axis draws the grid over the whole plot, so every new point repainted it:
        # kept as a pixmap, a live curve's repaint costs ~35% less CPU (until the range moves)
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    plot.showGrid(x=True, y=True, alpha=GRID_ALPHA)
    if x_label:
        plot.setLabel("bottom", x_label, color=AXIS_COLOUR)
    set_title(plot, title)


def set_title(plot: pg.PlotItem, title: str) -> None:
    """An empty title takes no room (pyqtgraph keeps a blank row for ``""``)."""
    plot.setTitle(title or None, color=TITLE_COLOUR, size="11pt")
