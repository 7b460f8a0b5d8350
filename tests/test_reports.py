"""core.reports: a run's curves as arrays, and its confusion matrix from real weights."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from core.errors import RunError
from core.reports import confusion_matrix_for_run, load_run_curves, metric_names, run_label
from core.training.api import train
from core.runs.config import TrainConfig
from core.runs.run_dir import RunDir


def test_curves_are_aligned_arrays_with_nan_for_missing_values(tmp_path):
    run = RunDir.create(tmp_path / "run")
    run.write_config(TrainConfig(engine="numpy").to_dict())
    run.append_metrics({"epoch": 1, "train_loss": 2.0, "val_loss": None, "dice": 0.5, "seconds": 3})
    run.append_metrics({"epoch": 2, "train_loss": 1.0, "val_loss": 1.5, "iou": 0.4, "seconds": 3,
                        "accuracy": 0.9, "note": "text is not a curve"})

    curves = load_run_curves(run.path)

    assert list(curves["epoch"]) == [1.0, 2.0]
    assert list(curves["train_loss"]) == [2.0, 1.0]
    assert math.isnan(curves["val_loss"][0]) and curves["val_loss"][1] == 1.5
    assert math.isnan(curves["iou"][0]) and math.isnan(curves["accuracy"][0])
    assert "note" not in curves
    assert metric_names(curves) == ["accuracy", "dice", "iou"]
    assert run_label(run.path) == "run (numpy, default model)"


def test_a_run_without_epochs_has_empty_curves(tmp_path):
    run = RunDir.create(tmp_path / "fresh")
    run.write_config(TrainConfig().to_dict())
    curves = load_run_curves(run.path)
    assert curves["epoch"].shape == (0,)


def test_broken_metrics_line_names_the_file_and_line(tmp_path):
    run = RunDir.create(tmp_path / "broken")
    run.write_config(TrainConfig().to_dict())
    (run.path / "metrics.jsonl").write_text(json.dumps({"epoch": 1}) + "\n{oops\n")
    with pytest.raises(RunError, match=r"metrics.jsonl: line 2 is not JSON"):
        load_run_curves(run.path)


def test_a_folder_that_is_not_a_run_is_refused(tmp_path):
    with pytest.raises(RunError, match="not a run directory"):
        load_run_curves(tmp_path)


@pytest.mark.parametrize("engine", ["numpy", "torch"])
def test_confusion_matrix_agrees_with_the_runs_validation_accuracy(tmp_path, engine):
    out = tmp_path / engine
    train(TrainConfig(task="mnist", engine=engine, epochs=1, batch_size=32, limit=200,
                      demo_size=600, out=str(out), seed=0))

    report = confusion_matrix_for_run(out)

    accuracy = RunDir.open(out).read_metrics()[-1]["accuracy"]
    assert report.matrix.shape == (10, 10) and report.class_names[:2] == ["0", "1"]
    assert report.items == int(report.matrix.sum()) > 0
    assert report.accuracy == pytest.approx(accuracy, abs=1e-9)
    assert np.all(report.matrix >= 0)
