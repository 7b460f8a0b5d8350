"""Compare runs: two run directories overlaid on shared axes, saved as PNG."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtGui import QImage  # noqa: E402

from core.errors import RunError  # noqa: E402
from core.runs.config import TrainConfig  # noqa: E402
from core.runs.run_dir import RunDir  # noqa: E402
from gui.train.compare import CompareRunsWidget  # noqa: E402

pytestmark = pytest.mark.gui


def write_run(folder, engine: str, losses: list[float], accuracies: list[float]) -> str:
    run = RunDir.create(folder)
    run.write_config(TrainConfig(engine=engine, epochs=len(losses)).to_dict())
    for epoch, (loss, accuracy) in enumerate(zip(losses, accuracies), 1):
        run.append_metrics({"epoch": epoch, "train_loss": loss, "val_loss": loss * 1.1,
                            "accuracy": accuracy, "seconds": 1.0, "lr": 0.001})
    return str(run.path)


@pytest.fixture
def two_runs(tmp_path):
    numpy_run = write_run(tmp_path / "mnist-numpy", "numpy", [2.0, 1.0, 0.5], [0.3, 0.6, 0.8])
    torch_run = write_run(tmp_path / "mnist-torch", "torch", [2.1, 0.9], [0.35, 0.7])
    return numpy_run, torch_run


def test_two_runs_are_overlaid_with_a_legend(qtbot, isolated_settings, two_runs):
    numpy_run, torch_run = two_runs
    widget = CompareRunsWidget([numpy_run, torch_run])
    qtbot.addWidget(widget)

    assert widget.runs() == [numpy_run, torch_run]
    x, y = widget.curve_data(numpy_run, "train_loss")
    assert list(x) == [1, 2, 3] and list(y) == [2.0, 1.0, 0.5]
    assert np.allclose(widget.curve_data(torch_run, "val_loss")[1], [2.31, 0.99])
    assert list(widget.curve_data(torch_run, "accuracy")[1]) == [0.35, 0.7]
    assert widget.metric_combo.currentText() == "accuracy"  # lr and seconds are not metrics
    legend_labels = [label.text for _, label in widget.loss_legend.items]
    assert "mnist-numpy train" in legend_labels and "mnist-torch val" in legend_labels
    assert "numpy" in widget.run_list.item(0).text() and "torch" in widget.run_list.item(1).text()


def test_removing_a_run_removes_its_curves(qtbot, isolated_settings, two_runs):
    numpy_run, torch_run = two_runs
    widget = CompareRunsWidget([numpy_run, torch_run])
    qtbot.addWidget(widget)
    widget.remove_run(numpy_run)
    assert widget.runs() == [torch_run] and widget.run_list.count() == 1
    with pytest.raises(KeyError):
        widget.curve_data(numpy_run, "train_loss")


def test_a_folder_that_is_not_a_run_is_refused_with_its_path(qtbot, isolated_settings, tmp_path):
    widget = CompareRunsWidget()
    qtbot.addWidget(widget)
    with pytest.raises(RunError, match="not a run directory"):
        widget.add_run(tmp_path)
    assert widget.runs() == []


def test_comparison_saves_as_png(qtbot, isolated_settings, two_runs, tmp_path):
    widget = CompareRunsWidget(list(two_runs))
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    written = widget.save_png(tmp_path / "compare.png")
    image = QImage(str(written))
    assert not image.isNull() and image.width() >= 800
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 10, "the PNG should contain drawn curves, not a blank canvas"


def test_runs_of_another_kind_are_not_overlaid_without_a_word(qtbot, isolated_settings, tmp_path):
    """Carvana (Dice) and MNIST (accuracy) losses were drawn on one axis, the legend over them."""
    digits = write_run(tmp_path / "mnist-torch", "torch", [2.0, 1.0], [0.5, 0.8])
    cars = RunDir.create(tmp_path / "carvana-torch")
    cars.write_config(TrainConfig(task="carvana", epochs=2).to_dict())
    for epoch in (1, 2):
        cars.append_metrics({"epoch": epoch, "train_loss": 0.4 / epoch, "val_loss": 0.5 / epoch,
                             "dice": 0.8 + 0.05 * epoch})
    widget = CompareRunsWidget([digits, str(cars.path)])
    qtbot.addWidget(widget)
    widget.resize(1000, 620)
    widget.show()

    assert widget.metric_combo.currentText() == "accuracy"
    assert widget.shown_runs() == [digits]
    assert "carvana-torch" in widget.message.text() and "Not shown" in widget.message.text()
    with pytest.raises(KeyError):
        widget.curve_data(cars.path, "train_loss")
    widget.metric_combo.setCurrentText("dice")
    assert widget.shown_runs() == [str(cars.path)]
    assert list(widget.curve_data(cars.path, "dice")[1]) == pytest.approx([0.85, 0.9])
    qtbot.waitUntil(lambda: widget.loss_legend.sceneBoundingRect().width() > 0, timeout=2000)
    plot_area = widget.loss_plot.vb.sceneBoundingRect()
    assert not plot_area.intersects(widget.loss_legend.sceneBoundingRect()), "legend beside, not over"
