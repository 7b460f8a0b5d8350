"""Epoch axes label whole epochs only, however far the user zooms in."""

from __future__ import annotations

import pyqtgraph as pg
import pytest

from gui.train.plot_style import EpochAxis, style_plot


@pytest.mark.parametrize("span", [(0.0, 2.0), (1.0, 6.0), (0.0, 500.0)])
def test_epoch_ticks_are_whole_numbers(qtbot, span):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    plot = widget.getPlotItem()
    style_plot(plot, "Loss")
    axis = plot.getAxis("bottom")
    assert isinstance(axis, EpochAxis)
    low, high = span
    levels = axis.tickValues(low, high, 600)
    values = [value for _, ticks in levels for value in ticks]
    assert values, "the axis shows ticks"
    assert all(float(value).is_integer() for value in values), values


def test_other_axes_keep_fractional_ticks(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    plot = widget.getPlotItem()
    style_plot(plot, "Loss", x_label="seconds")
    levels = plot.getAxis("bottom").tickValues(0.0, 2.0, 600)
    values = [value for _, ticks in levels for value in ticks]
    assert any(not float(value).is_integer() for value in values)
