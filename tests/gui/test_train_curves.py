"""Live curves: growing arrays, smoothing, a new run's reset, and the dock layout."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from gui.train.curves import TrainingCurves  # noqa: E402
from gui.train.progress import estimate_time_left, format_duration  # noqa: E402
from gui.train.series import ExponentialMovingAverage, GrowingSeries  # noqa: E402

pytestmark = pytest.mark.gui


def test_growing_series_keeps_every_point_across_reallocations():
    series = GrowingSeries(capacity=2)
    for index in range(37):
        series.append(index, index * index)
    assert len(series) == 37
    assert np.array_equal(series.x, np.arange(37)) and series.y[-1] == 36 * 36
    series.clear()
    assert len(series) == 0 and series.x.shape == (0,)


def test_moving_average_is_unbiased_from_the_first_step_and_skips_nan():
    average = ExponentialMovingAverage(0.9)
    assert math.isnan(average.value)
    assert average.update(2.0) == pytest.approx(2.0)  # no pull towards the initial zero
    assert average.update(float("nan")) == pytest.approx(2.0)
    for _ in range(50):
        value = average.update(2.0)
    assert value == pytest.approx(2.0)
    assert ExponentialMovingAverage(0.5).update(4.0) == pytest.approx(4.0)


def test_time_left_and_durations_read_naturally():
    assert estimate_time_left(30.0, 0.25) == pytest.approx(90.0)
    assert math.isnan(estimate_time_left(5.0, 0.0))
    assert format_duration(75) == "1:15" and format_duration(3725) == "1:02:05"
    assert format_duration(float("nan")) == "–"


def test_a_new_run_empties_the_curves_but_keeps_the_plots(qtbot):
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.add_batch(0.5, 1.0)
    curves.add_epoch(1, 1.0, 1.2, {"dice": 0.4, "iou": 0.3})
    curves.flush()
    assert curves.metric_names() == ["dice", "iou"]

    curves.start_run()
    curves.add_epoch(1, 0.9, 1.0, {"accuracy": 0.7})
    curves.flush()

    assert len(curves.curve_data("batch_loss")[1]) == 0
    assert list(curves.curve_data("train_loss")[1]) == [0.9]
    assert curves.metric_names() == ["accuracy"]
    layout_items = list(curves.ci.items)
    assert curves.loss_plot in layout_items and curves.metric_plot in layout_items


def test_plots_sit_side_by_side_in_a_wide_short_dock(qtbot):
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.show()
    curves.resize(1400, 350)
    qtbot.waitUntil(lambda: curves.side_by_side, timeout=2000)
    assert curves.metric_plot.pos().x() > curves.loss_plot.pos().x()
    curves.resize(600, 800)
    qtbot.waitUntil(lambda: not curves.side_by_side, timeout=2000)
    assert set(curves.ci.items) == {curves.loss_plot, curves.metric_plot,
                                    curves.loss_legend, curves.metric_legend}


def test_confusion_matrix_shows_counts_and_class_names(qtbot, tmp_path):
    from PySide6.QtGui import QImage

    from core.reports import ConfusionReport
    from gui.train.confusion import ConfusionMatrixView

    view = ConfusionMatrixView()
    qtbot.addWidget(view)
    view.resize(500, 500)
    matrix = np.array([[5, 1, 0], [0, 4, 0], [2, 0, 3]])
    view.set_report(ConfusionReport(matrix, ["cat", "dog", "bird"], "val", 15))

    assert view.image.image.shape == (3, 3)
    assert sorted(label.toPlainText() for label in view._labels) == ["1", "2", "3", "4", "5"]
    ticks = view.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert [name for _, name in ticks] == ["cat", "dog", "bird"]
    assert "accuracy 80.0%" in view.getPlotItem().titleLabel.text
    image = QImage(str(view.save_png(tmp_path / "confusion.png")))
    assert not image.isNull() and image.width() >= 800


def test_metric_legend_lists_only_the_metrics_of_the_run(qtbot):
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    assert curves.metric_legend.labels() == []
    curves.add_epoch(1, 1.0, 1.2, {"accuracy": 0.4})
    assert curves.metric_legend.labels() == ["accuracy"]
    curves.start_run()
    assert curves.metric_legend.labels() == []
    assert curves.loss_legend.labels() == ["batch", "smoothed", "train", "validation"]


SEGMENTATION_METRICS = {"dice": 0.8, "iou": 0.7, "accuracy": 0.9, "small_object_recall": 0.5}


@pytest.mark.parametrize("size", [(505, 265), (760, 390), (600, 800)])
def test_legends_cover_no_curve_and_cut_no_label(qtbot, size):
    """At 1366x768 the Train dock gave the curves ~505x265: the legends sat on the curves
    and cut "batch loss" to "…ch" and "accuracy" to "…curacy" (#12)."""
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.resize(*size)
    curves.show()
    qtbot.waitExposed(curves)
    for epoch in (1, 2, 3):
        for step in range(10):
            curves.add_batch(epoch - 1 + step / 10, 1.0 / epoch)
        curves.add_epoch(epoch, 1.0 / epoch, 1.1 / epoch, SEGMENTATION_METRICS)
    curves.flush()
    qtbot.wait(50)  # layout requests are posted events

    view = curves.viewRect()
    for legend, plot in ((curves.loss_legend, curves.loss_plot),
                         (curves.metric_legend, curves.metric_plot)):
        plot_area = plot.vb.sceneBoundingRect()
        assert plot_area.height() >= 80, f"{plot_area.height()} px of plot at {size}"
        assert view.contains(plot.sceneBoundingRect()), f"the plot's axes are cut at {size}"
        labels = [label for _, label in legend.entries()]
        assert len(labels) == len(legend.labels()) > 0
        for sample, label in legend.entries():
            for part in (sample, label):
                rect = part.sceneBoundingRect()
                assert not rect.intersects(plot_area), f"{label.text} covers the plot"
                assert view.contains(rect), f"{label.text} cut at {size}"
        for other_plot in (curves.loss_plot, curves.metric_plot):
            assert not legend.sceneBoundingRect().intersects(other_plot.vb.sceneBoundingRect())
        for index, (_, label) in enumerate(legend.entries()):
            for _, other in legend.entries()[index + 1:]:
                assert not label.sceneBoundingRect().intersects(other.sceneBoundingRect())

