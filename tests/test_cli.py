"""Headless CLI: train, eval and predict end to end, and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.cli import run_cli
from core.data import demo_dataset
from core.data.masks import read_mask
from core.data.writers import write_image
from tests.trainer_helpers import one_torch_thread  # noqa: F401

TINY_DIGITS = ["--task", "mnist", "--demo-size", "200", "--limit", "64", "--epochs", "1"]
TINY_CARS = ["--task", "carvana", "--demo-size", "24", "--image-size", "32", "--epochs", "1",
             "--batch-size", "8", "--model-option", "depth=2", "--model-option", "base_width=4"]


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = run_cli([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_train_eval_predict_classification(tmp_path, capsys):
    run = tmp_path / "run"
    code, out, err = _cli(capsys, "train", *TINY_DIGITS, "--out", run)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["status"] == "finished" and summary["run_dir"] == str(run)
    assert "epoch 1/1 train_loss" in err  # the progress lines go to stderr

    code, out, err = _cli(capsys, "eval", "--run", run)
    assert code == 0, err
    metrics = json.loads(out)
    assert metrics["split"] == "test" and metrics["items"] == 20
    assert 0.0 <= metrics["accuracy"] <= 1.0 and len(metrics["confusion"]) == 10

    image_path = tmp_path / "digit.png"
    write_image(image_path, demo_dataset("mnist", size=5)[0].image)
    code, out, err = _cli(capsys, "predict", "--run", run, image_path)
    assert code == 0, err
    prediction = json.loads(out)[str(image_path)]
    assert prediction["class"] in [str(d) for d in range(10)]
    assert sum(prediction["top"].values()) <= 1.0 + 1e-6 and len(prediction["top"]) == 3


def test_train_resume_and_masks_for_segmentation(tmp_path, capsys):
    run = tmp_path / "cars"
    code, out, err = _cli(capsys, "train", *TINY_CARS, "--quiet", "--out", run)
    assert code == 0, err
    code, out, err = _cli(capsys, "train", "--resume", run, "--epochs", "2", "--quiet")
    assert code == 0, err
    assert json.loads(out)["epochs_done"] == 2
    assert [json.loads(line)["epoch"] for line in (run / "metrics.jsonl").read_text().splitlines()] == [1, 2]

    code, out, err = _cli(capsys, "eval", "--run", run, "--split", "val")
    assert code == 0, err
    metrics = json.loads(out)
    assert {"dice", "iou", "pixel_accuracy"} <= set(metrics) and 0 <= metrics["dice"] <= 1

    image = demo_dataset("carvana", size=2)[0].image[:101, :157]  # an odd size
    image_path = tmp_path / "car.jpg"
    write_image(image_path, image)
    code, out, err = _cli(capsys, "predict", "--run", run, image_path, "--out", tmp_path / "masks")
    assert code == 0, err
    written = json.loads(out)[str(image_path)]["mask"]
    mask = read_mask(written)
    assert mask.shape == image.shape[:2] and set(np.unique(mask)) <= {0, 1}


def test_eval_works_for_numpy_runs(tmp_path, capsys):
    run = tmp_path / "numpy"
    code, _, err = _cli(capsys, "train", *TINY_DIGITS, "--engine", "numpy", "--quiet", "--out", run)
    assert code == 0, err
    code, out, err = _cli(capsys, "eval", "--run", run)
    assert code == 0, err
    assert 0.0 <= json.loads(out)["accuracy"] <= 1.0


@pytest.mark.parametrize("argv, message", [
    (["eval", "--run", "{tmp}/missing"], "run directory does not exist"),
    (["train", "--epochs", "1"], "needs --task"),
    (["train", *TINY_DIGITS, "--model", "unet", "--out", "{tmp}/r"], "segmentation model"),
    (["train", "--task", "carvana", "--engine", "numpy"], "numpy engine trains MNIST"),
    (["train", "--task", "mnist", "--model-option", "width", "--out", "{tmp}/r"], "KEY=VALUE"),
    (["predict", "--run", "{tmp}/missing", "x.png"], "run directory does not exist"),
])
def test_user_errors_are_one_line_and_exit_2(tmp_path, capsys, argv, message):
    code, out, err = _cli(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1 and out == ""


def test_predict_with_an_onnx_model_agrees_with_the_run(tmp_path, capsys):
    from core.export.onnx_export import export_onnx
    from core.inference import Predictor

    run = tmp_path / "run"
    assert _cli(capsys, "train", *TINY_DIGITS, "--quiet", "--out", run)[0] == 0
    predictor = Predictor.from_run(run)
    onnx_path = tmp_path / "digits.onnx"
    export_onnx(predictor.model, np.zeros((1, 1, 28, 28), np.float32), onnx_path, dynamic_size=False,
                metadata={"kind": "classification", "class_names": json.dumps(predictor.class_names),
                          "preprocess": json.dumps(predictor.preprocess.to_dict())})
    image_path = tmp_path / "digit.png"
    write_image(image_path, demo_dataset("mnist", size=5)[1].image)

    from_run = json.loads(_cli(capsys, "predict", "--run", run, image_path)[1])[str(image_path)]
    code, out, err = _cli(capsys, "predict", "--model", onnx_path, image_path)
    assert code == 0, err
    from_onnx = json.loads(out)[str(image_path)]
    assert from_onnx["class"] == from_run["class"]
    assert from_onnx["probability"] == pytest.approx(from_run["probability"], abs=1e-4)
