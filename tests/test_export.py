"""Export: ONNX agrees with the run's engine, int8 is smaller and within its accuracy budget,
calibration reads only the training split, NumPy runs export, errors are one clear line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest

from core.errors import RunError
from core.export.onnx_predictor import OnnxPredictor
from core.export.pipeline import ExportCancelled, ExportOptions, export_run
from core.training.api import train
from core.runs.config import TrainConfig

ROOT = Path(__file__).resolve().parents[1]
FAST = dict(calib=16, repeats=1, eval_limit=60)


def _train(folder: Path, **config) -> str:
    summary = train(TrainConfig(out=str(folder), seed=0, **config))
    assert summary["status"] == "finished", summary
    return str(folder)


@pytest.fixture(scope="module")
def lenet_run(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("lenet"), task="mnist", engine="torch", epochs=1,
                  demo_size=400, batch_size=32)


@pytest.fixture(scope="module")
def numpy_run(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("numpy"), task="mnist", engine="numpy", epochs=1,
                  demo_size=200, batch_size=32)


@pytest.fixture(scope="module")
def unet_run(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("unet"), task="carvana", engine="torch", epochs=1,
                  demo_size=24, batch_size=8, model_options={"base_width": 8, "depth": 2})


@pytest.fixture(scope="module")
def lenet_export(lenet_run):
    return export_run(lenet_run, ExportOptions(quantize="int8", **FAST))


def _heldout_images(run_dir: str, count: int = 16) -> list[np.ndarray]:
    from core.runs.run_dir import RunDir

    dataset = RunDir.open(run_dir).dataset()
    split = dataset.splits["test"] if len(dataset.splits["test"]) else dataset.splits["val"]
    return [dataset[int(index)].image for index in split[:count]]


def test_classification_export_matches_torch_and_int8_stays_in_budget(lenet_run, lenet_export):
    from core.inference import Predictor

    report = lenet_export
    files = {key: Path(path) for key, path in report["files"].items()}
    assert files["onnx_fp32"] == Path(lenet_run) / "model.onnx"
    assert files["onnx_int8"] == Path(lenet_run) / "model.int8.onnx"
    assert json.loads(files["report"].read_text()) == json.loads(json.dumps(report))
    assert report["check"]["passed"] and report["check"]["max_abs_diff"] < 1e-4

    torch_predictor = Predictor.from_run(lenet_run)
    onnx_predictor = OnnxPredictor(files["onnx_fp32"])
    assert onnx_predictor.kind == "classification"
    assert onnx_predictor.class_names == torch_predictor.class_names
    images = _heldout_images(lenet_run)
    expected = np.stack(torch_predictor.predict_batch(images))
    np.testing.assert_allclose(np.stack(onnx_predictor.predict_batch(images)), expected, atol=1e-5)

    # int8: about 4x smaller; accuracy budget on the 40 held-out demo digits: at most 2 images
    # change their answer (the 0.5-point target is measured on a larger set in bench/export.py)
    assert report["size_bytes"]["onnx_int8"] * 3 < report["size_bytes"]["onnx_fp32"]
    images_scored = report["heldout"]["images"]
    assert images_scored == 40 and report["heldout"]["split"] == "test"
    assert report["metrics"]["difference"]["accuracy"] >= -2 / images_scored
    assert report["changed_predictions"]["share"] <= 2 / images_scored
    assert np.isfinite(report["metrics"]["fp32"]["accuracy"])
    latency = report["latency_ms"]["working"]
    assert latency["input"] == [1, 28, 28]
    assert all(latency[key] > 0 for key in ("torch_eager", "onnx_fp32", "onnx_int8"))


def test_segmentation_export_has_dynamic_size_and_int8_dice_within_budget(unet_run, tmp_path):
    import torch

    out = tmp_path / "cars.onnx"
    report = export_run(unet_run, ExportOptions(quantize="int8", out=str(out), calib=4, repeats=1,
                                                 large_repeats=1))
    assert report["files"] == {"onnx_fp32": str(tmp_path / "cars.fp32.onnx"), "onnx_int8": str(out),
                               "report": str(tmp_path / "cars.report.json"),
                               "runtime": str(tmp_path / "cars.runtime.json")}
    assert report["check"]["passed"] and report["check"]["max_abs_diff"] < 1e-4
    assert abs(report["metrics"]["difference"]["dice"]) <= 0.01
    assert set(report["metrics"]["int8"]) == {"dice", "iou"}
    assert report["latency_ms"]["640x960"]["input"] == [3, 640, 960]

    from core.inference import Predictor

    torch_model = Predictor.from_run(unet_run).model
    fp32 = OnnxPredictor(tmp_path / "cars.fp32.onnx")
    batch = np.random.default_rng(0).normal(size=(2, 3, 48, 80)).astype(np.float32)  # not the working size
    with torch.inference_mode():
        expected = torch_model(torch.from_numpy(batch)).numpy()
    np.testing.assert_allclose(fp32.logits(batch), expected, atol=1e-4)

    image = _heldout_images(unet_run, 1)[0]
    mask = OnnxPredictor(out).predict(image)
    assert mask.shape == image.shape[:2] and mask.dtype == np.float32
    assert 0.0 <= mask.min() and mask.max() <= 1.0


def test_conv_transpose_rewrite_is_exact_and_leaves_the_model_alone(tmp_path):
    import torch

    from core.export.onnx_export import export_onnx
    from core.export.rewrite import int8_friendly
    from core.models import create_model

    torch.manual_seed(0)
    model = create_model("unet", base_width=4, depth=3).eval()
    rewritten, replaced = int8_friendly(model)
    assert replaced == 3
    assert sum(isinstance(m, torch.nn.ConvTranspose2d) for m in model.modules()) == 3
    assert not any(isinstance(m, torch.nn.ConvTranspose2d) for m in rewritten.modules())
    batch = torch.randn(2, 3, 40, 56)
    with torch.inference_mode():
        expected = model(batch)
        torch.testing.assert_close(rewritten(batch), expected, atol=1e-5, rtol=1e-5)
    path = tmp_path / "rewritten.onnx"
    export_onnx(rewritten, batch[:1].numpy(), path, dynamic_size=True, metadata={"kind": "segmentation"})
    operators = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert "DepthToSpace" in operators and "ConvTranspose" not in operators
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {"image": batch.numpy()})[0], expected.numpy(), atol=1e-5)


def test_calibration_reads_only_the_training_split(lenet_run, lenet_export, tmp_path):
    from core.data import demo_dataset
    from core.export.quantize import TrainingSplitReader, quantize_int8
    from core.preprocess import Preprocess

    dataset = demo_dataset("mnist", size=200, seed=0)
    served = []

    class Recording:  # the dataset, remembering which items the quantizer pulled
        def __init__(self, inner):
            self.inner, self.splits = inner, inner.splits

        def __getitem__(self, index):
            served.append(index)
            return self.inner[index]

    reader = TrainingSplitReader(Recording(dataset), Preprocess(1, (28, 28), (0.1307,), (0.3081,)),
                                 count=12)
    assert len(reader.indices) == 12
    assert set(reader.indices) <= set(dataset.splits["train"].tolist())
    quantize_int8(lenet_export["files"]["onnx_fp32"], tmp_path / "m.int8.onnx", reader)
    held_out = set(dataset.splits["val"].tolist()) | set(dataset.splits["test"].tolist())
    assert served and set(served) <= set(dataset.splits["train"].tolist())
    assert not set(served) & held_out
    assert OnnxPredictor(tmp_path / "m.int8.onnx").precision == "int8"


def test_numpy_engine_export_predicts_the_same_classes(numpy_run):
    from core.numpy_cnn.predictor import NumpyPredictor

    report = export_run(numpy_run, ExportOptions(**FAST))
    assert report["engine"] == "numpy" and report["check"]["reference"] == "numpy"
    images = _heldout_images(numpy_run, 30)
    engine = np.stack(NumpyPredictor.from_run(numpy_run).predict_batch(images))
    exported = np.stack(OnnxPredictor(report["files"]["onnx_fp32"]).predict_batch(images))
    np.testing.assert_array_equal(exported.argmax(axis=1), engine.argmax(axis=1))
    np.testing.assert_allclose(exported, engine, atol=1e-5)


def test_onnx_predictor_runs_without_torch(lenet_export):
    script = (
        "import sys, numpy as np\n"
        "from core.export.onnx_predictor import OnnxPredictor\n"
        f"predictor = OnnxPredictor({lenet_export['files']['onnx_int8']!r})\n"
        "probabilities = predictor.predict(np.zeros((40, 40, 3), np.uint8))\n"
        "print(probabilities.shape, round(float(probabilities.sum()), 4), 'torch' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["(10,)", "1.0", "False"]


def test_cancelled_export_writes_nothing(lenet_run, tmp_path):
    from core.runs.events import CancelToken

    cancel, stages = CancelToken(), []

    def progress(stage, message):
        stages.append(stage)
        if stage == "quantize":
            cancel.cancel()

    with pytest.raises(ExportCancelled):
        export_run(lenet_run, ExportOptions(quantize="int8", out=str(tmp_path / "m.onnx"), **FAST),
                   progress=progress, cancel=cancel)
    assert stages == ["load", "export", "check", "quantize"]
    assert list(tmp_path.iterdir()) == []  # no model, no report, no temporary folder


def test_cli_prints_the_report_and_bad_runs_fail_in_one_line(lenet_run, tmp_path, capsys):
    from core.cli import run_cli

    out = tmp_path / "digits.onnx"
    assert run_cli(["export", "--run", lenet_run, "--format", "onnx", "--out", str(out),
                    "--repeats", "1", "--eval-limit", "20"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"]["onnx_fp32"] == str(out) and out.is_file()
    assert "onnx_int8" not in report["files"] and "int8" not in report["metrics"]

    missing = tmp_path / "no-such-run"
    assert run_cli(["export", "--run", str(missing)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and str(missing) in error and "does not exist" in error

    broken = tmp_path / "broken-run"
    broken.mkdir()
    (broken / "config.json").write_text(Path(lenet_run, "config.json").read_text())
    (broken / "model.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(RunError, match="model.pt"):
        export_run(broken, ExportOptions(**FAST))
