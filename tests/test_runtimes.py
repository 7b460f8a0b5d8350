"""OpenVINO beside ONNX Runtime: same answers, clean fallbacks, no torch, honest recommendations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.errors import RunError
from core.export import recommend
from core.export.onnx_predictor import OnnxPredictor
from core.export.runtimes import open_predictor

ROOT = Path(__file__).resolve().parents[1]
F32_TOLERANCE = 1e-4   # OpenVINO f32 vs ONNX Runtime fp32, logits (both plain float32 kernels)


@pytest.fixture(scope="module")
def tiny_export(tmp_path_factory) -> Path:
    """A small conv net exported the way core.export does, with its metadata."""
    import torch

    from core.export.onnx_export import export_onnx
    from core.preprocess import Preprocess

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(),
                                torch.nn.Conv2d(8, 8, 3, padding=1, stride=2), torch.nn.ReLU(),
                                torch.nn.ConvTranspose2d(8, 4, 2, stride=2), torch.nn.ReLU(),
                                torch.nn.Conv2d(4, 1, 1))
    preprocess = Preprocess(3, (32, 48), (0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    metadata = {"kind": "segmentation", "task": "folder", "model": "tiny",
                "class_names": json.dumps(["background", "object"]),
                "preprocess": json.dumps(preprocess.to_dict())}
    path = tmp_path_factory.mktemp("tiny") / "tiny.onnx"
    export_onnx(model, np.zeros((1, 3, 32, 48), np.float32), path, dynamic_size=True, metadata=metadata)
    return path


def test_openvino_matches_onnx_runtime_fp32(tiny_export):
    from core.export.openvino_predictor import OpenVinoPredictor

    batch = np.random.default_rng(0).normal(size=(2, 3, 32, 48)).astype(np.float32)
    reference, openvino = OnnxPredictor(tiny_export, threads=1), OpenVinoPredictor(tiny_export, threads=1)
    assert openvino.kind == "segmentation" and openvino.class_names == ["background", "object"]
    assert openvino.preprocess == reference.preprocess
    np.testing.assert_allclose(openvino.logits(batch), reference.logits(batch), atol=F32_TOLERANCE)
    image = np.random.default_rng(1).integers(0, 256, (70, 90, 3), dtype=np.uint8)
    np.testing.assert_allclose(openvino.predict(image, tta=True), reference.predict(image, tta=True),
                               atol=F32_TOLERANCE)


def test_auto_prefers_openvino_and_falls_back_when_it_is_missing(tiny_export, monkeypatch):
    warnings: list[str] = []
    assert open_predictor(model=tiny_export, warn=warnings.append).runtime == "openvino"
    monkeypatch.setitem(sys.modules, "openvino", None)  # import openvino -> ImportError
    predictor = open_predictor(model=tiny_export, warn=warnings.append)
    assert predictor.runtime == "onnxruntime" and predictor.runtime_note.startswith("ONNX Runtime")
    assert warnings == ["OpenVINO is not installed; using ONNX Runtime"]
    with pytest.raises(RunError, match="openvino is not installed"):
        open_predictor(model=tiny_export, runtime="openvino")


def test_auto_falls_back_when_openvino_cannot_compile(tiny_export, monkeypatch):
    import openvino

    def refuse(*args, **kwargs):
        raise RuntimeError("Exception from src/inference: unsupported operation\nmore detail")

    monkeypatch.setattr(openvino.Core, "compile_model", refuse)
    warnings: list[str] = []
    predictor = open_predictor(model=tiny_export, warn=warnings.append)
    assert predictor.runtime == "onnxruntime"
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert str(tiny_export) in warnings[0] and "OpenVINO cannot compile it" in warnings[0]
    mask = predictor.predict(np.zeros((40, 40, 3), np.uint8))
    assert mask.shape == (40, 40)


def test_exported_file_refuses_the_torch_runtime(tiny_export):
    with pytest.raises(RunError, match="no torch weights"):
        open_predictor(model=tiny_export, runtime="torch")


@pytest.mark.parametrize("runtime", ["openvino", "onnxruntime", "auto"])
def test_predicting_with_an_exported_runtime_never_imports_torch(tiny_export, runtime):
    script = (
        "import sys, numpy as np\n"
        "from core.export.runtimes import open_predictor\n"
        f"predictor = open_predictor(model={str(tiny_export)!r}, runtime={runtime!r})\n"
        "mask = predictor.predict(np.zeros((40, 40, 3), np.uint8))\n"
        "print(predictor.runtime, mask.shape, 'torch' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    expected = "onnxruntime" if runtime == "onnxruntime" else "openvino"
    assert result.stdout.split() == [expected, "(40,", "40)", "False"]


def _row(name, runtime, precision, median_ms, dice):
    return {"name": name, "runtime": runtime, "precision": precision, "file": f"{precision}.onnx",
            "metrics": {"dice": dice}, "latency_ms": {"working": {"input": [3, 32, 48], "median": median_ms}}}


def test_recommendation_is_the_fastest_row_within_tolerance_and_says_why_others_are_not():
    reference = _row("onnx_fp32", "onnxruntime", "fp32", 10.0, 0.90)
    rows = [reference, _row("onnx_int8", "onnxruntime", "int8", 6.0, 0.89),
            _row("openvino_int8", "openvino", "int8", 2.0, 0.85),   # fastest, but Dice drops 0.05
            _row("openvino_fp32", "openvino", "fp32", 8.0, 0.90),
            _row("torch_eager", "torch", "fp32", 1.0, 0.90)]        # a baseline, never recommended
    for row in rows:
        row["accepted"], row["reason"] = recommend.judge(row, reference, "segmentation", 100)
    assert [row["accepted"] for row in rows] == [True, True, False, True, False]
    assert rows[2]["reason"] == "dice drops 0.0500 against ONNX Runtime fp32 (tolerance 0.0100 on 100 images)"
    assert recommend.recommend(rows)["name"] == "onnx_int8"
    # classification: 0.5 points, but never less than one image on a small held-out set
    assert recommend.tolerance("classification", 1000) == ("accuracy", 0.005)
    assert recommend.tolerance("classification", 40) == ("accuracy", 1 / 40)


@pytest.fixture(scope="module")
def exported_run(tmp_path_factory):
    import torch

    from core.export.pipeline import ExportOptions, export_run
    from core.training.api import train
    from tests.trainer_helpers import cars_config

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("cars") / "run"
    train(cars_config(out, epochs=1, limit=16))
    report = export_run(out, ExportOptions(quantize="int8", calib=4, repeats=1, large_repeats=1,
                                           eval_limit=8, threads=1))
    torch.set_num_threads(threads)
    return out, report


def test_export_report_measures_every_runtime_and_saves_its_recommendation(exported_run):
    run, report = exported_run
    names = [row["name"] for row in report["runtimes"]]
    assert names[:2] == ["onnx_fp32", "onnx_int8"] and "torch_eager" in names
    assert {"openvino_fp32", "openvino_int8"} <= set(names)
    for row in report["runtimes"]:
        assert set(row["latency_ms"]) == {"working", "640x960"}
        assert row["latency_ms"]["working"]["q1"] <= row["latency_ms"]["working"]["median"]
        assert isinstance(row["accepted"], bool) and (row["accepted"] or row["reason"])
    openvino_fp32 = next(row for row in report["runtimes"] if row["name"] == "openvino_fp32")
    assert openvino_fp32["max_abs_diff"] < 1e-4 and openvino_fp32["change"]["dice"] == 0.0
    saved = json.loads(Path(report["files"]["runtime"]).read_text())
    assert saved["recommended"] == report["recommendation"]["recommended"]
    assert saved["recommended"]["runtime"] in ("onnxruntime", "openvino")
    assert saved["weights"]["file"] == "model.pt"


def test_runs_predict_on_the_recommended_runtime_until_their_weights_change(exported_run):
    run, report = exported_run
    predictor = open_predictor(run=run)
    assert predictor.runtime == report["recommendation"]["recommended"]["runtime"]
    assert "ms/image" in predictor.runtime_note
    assert open_predictor(run=run, runtime="torch").runtime == "torch"
    weights = run / "model.pt"
    original = weights.read_bytes()
    try:
        import torch

        payload = torch.load(weights, weights_only=True)
        payload["state_dict"] = {key: value + 0.01 if value.is_floating_point() else value
                                 for key, value in payload["state_dict"].items()}
        torch.save(payload, weights)  # "the run trained on": the export is of older weights
        stale = open_predictor(run=run)
        assert stale.runtime == "torch" and "no export measured" in stale.runtime_note
        with pytest.raises(RunError, match="no current export"):
            open_predictor(run=run, runtime="openvino")
    finally:
        weights.write_bytes(original)


def test_cli_predict_runtime_flag(exported_run, tmp_path, capsys):
    import cv2

    from core.cli import run_cli

    run, report = exported_run
    image = tmp_path / "car.png"
    cv2.imwrite(str(image), np.zeros((30, 40, 3), np.uint8))
    for runtime in ("openvino", "onnxruntime", "torch", "auto"):
        assert run_cli(["predict", "--run", str(run), "--runtime", runtime, "--out", str(tmp_path / runtime),
                        str(image)]) == 0
        captured = capsys.readouterr()
        assert json.loads(captured.out)[str(image)]["mask"].endswith("car_mask.png")
        assert captured.err.startswith("runtime: ")
    assert run_cli(["predict", "--model", report["files"]["onnx_int8"], "--runtime", "torch",
                    "--out", str(tmp_path), str(image)]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
