"""Run folders are shared: nothing read from one runs code, and one folder has one writer.

Each load path (eval, predict, export, train --init-from, train --resume, the GUI's
Open run through Predictor.from_run) meets a weights file whose pickle would create
a marker file; the marker never appears and the command exits 2 with one line naming
the file. Tampered config.json and crafted .npz files get the same one line.
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
import torch

from core.cli import run_cli
from core.data import demo_dataset
from core.data.writers import write_image
from core.errors import RunError
from core.runs.config import TrainConfig
from core.runs.events import CancelToken, EpochEnd
from core.runs.run_dir import RunDir, fresh_run_dir
from core.training.api import train
from tests.trainer_helpers import one_torch_thread  # noqa: F401

CLASS_NAMES = [str(d) for d in range(10)]
MNIST_CONFIG = {"engine": "torch", "task": "mnist", "kind": "classification",
                "class_names": CLASS_NAMES, "model": "lenet", "seed": 0, "demo_size": 30,
                "epochs": 1, "batch_size": 8,
                "model_options": {"in_channels": 1, "num_classes": 10},
                "preprocess": {"channels": 1, "size": [28, 28], "mean": [0.1307], "std": [0.3081]}}
TINY = ["--task", "mnist", "--demo-size", "40", "--limit", "16", "--epochs", "1", "--batch-size", "8",
        "--quiet"]


class MakesMarker:
    """Unpickling this calls open(marker, "w"): a file appears if the loader runs code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def _evil_pt(path, marker) -> None:
    torch.save({"state_dict": {"w": MakesMarker(marker)}, "model": MakesMarker(marker)}, path)


def _run_folder(tmp_path, config=None, **files) -> RunDir:
    run = RunDir.create(tmp_path / "run")
    (run.path / "config.json").write_text(json.dumps(config or MNIST_CONFIG))
    for name, writer in files.items():
        writer(run.path / name.replace("_", "."))
    return run


def _cli(capsys, *argv) -> tuple[int, str]:
    code = run_cli([str(a) for a in argv])
    return code, capsys.readouterr().err


def _one_line_naming(err: str, name: str) -> bool:
    """One error line naming ``name`` (progress lines such as export's "[load]" may precede it)."""
    errors = [line for line in err.strip().splitlines() if not line.startswith("[")]
    return len(errors) == 1 and errors[0].startswith("error: ") and name in errors[0] \
        and "Traceback" not in err


@pytest.mark.parametrize("path_name", ["eval", "predict", "export", "init_from", "resume", "open_run"])
def test_a_weights_file_that_would_run_code_is_refused_on_every_load_path(tmp_path, capsys, path_name):
    marker = tmp_path / "MARKER"
    run = _run_folder(tmp_path, model_pt=lambda p: _evil_pt(p, marker),
                      best_pt=lambda p: _evil_pt(p, marker),
                      checkpoint_pt=lambda p: _evil_pt(p, marker))
    image = tmp_path / "digit.png"
    write_image(image, demo_dataset("mnist", size=2)[0].image)
    argv = {"eval": ["eval", "--run", run.path],
            "predict": ["predict", "--run", run.path, image, "--out", tmp_path / "pred"],
            "export": ["export", "--run", run.path, "--out", tmp_path / "model.onnx"],
            "init_from": ["train", *TINY, "--init-from", run.path / "best.pt", "--out", tmp_path / "new"],
            "resume": ["train", "--resume", run.path, "--epochs", "2", "--quiet"]}
    if path_name == "open_run":  # the GUI opens runs through core's Predictor
        from core.inference import Predictor

        with pytest.raises(RunError, match="model.pt.*refused"):
            Predictor.from_run(run.path)
    else:
        code, err = _cli(capsys, *argv[path_name])
        assert code == 2 and _one_line_naming(err, ".pt"), err
        assert "refused" in err
    assert not marker.exists()


def _npz_with_object_array(path) -> None:
    np.savez(path, **{"__format__": np.array("cnn-lytical-numpy-v1"),
                      "w": np.array([{"a": 1}], dtype=object)})


def _npz_header_bomb(path) -> None:
    """A 100-byte member whose .npy header declares 10^12 float64s."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10**12,)})
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", buffer.getvalue() + b"\0" * 16)


def _npz_absurd_architecture(path) -> None:
    spec = {"input_shape": [1, 28, 28], "layers": [{"type": "Dense", "in_features": 10**6,
                                                    "out_features": 10**6}]}
    np.savez(path, **{"__format__": np.array("cnn-lytical-numpy-v1"),
                      "__architecture__": np.array(json.dumps(spec)), "w": np.zeros(3)})


@pytest.mark.parametrize("writer, message", [
    (_npz_with_object_array, "holds Python objects"),
    (_npz_header_bomb, "declares shape"),
    (_npz_absurd_architecture, "declares 1,000,000,000,000 weights"),
])
def test_crafted_npz_weights_are_one_line_before_any_allocation(tmp_path, capsys, writer, message):
    config = {**MNIST_CONFIG, "engine": "numpy", "model": "lenet_numpy"}
    run = _run_folder(tmp_path, config, model_npz=writer, best_npz=writer)
    code, err = _cli(capsys, "eval", "--run", run.path)
    assert code == 2 and _one_line_naming(err, ".npz") and message in err, err


@pytest.mark.parametrize("change, message", [
    (lambda c: ["not", "an", "object"], "must be a JSON object"),
    (lambda c: {**c, "class_names": []}, "has 0 names"),
    (lambda c: {**c, "class_names": ["a", "b", "a"]}, "lists a name twice"),
    (lambda c: {**c, "class_names": list(range(3))}, "list of strings"),
    (lambda c: {**c, "epochs": "many"}, "'epochs' must be a whole number"),
    (lambda c: {**c, "image_size": -5}, "'image_size'"),
    (lambda c: {**c, "preprocess": {**c["preprocess"], "size": [-1, 28]}}, "preprocess 'size'"),
    (lambda c: {**c, "preprocess": {**c["preprocess"], "size": [10**9, 10**9]}}, "preprocess 'size'"),
    (lambda c: {**c, "preprocess": {**c["preprocess"], "std": [0.0]}}, "none zero"),
    (lambda c: {**c, "preprocess": {**c["preprocess"], "std": [float("nan")]}}, "preprocess 'std'"),
    (lambda c: {**c, "model_options": {"num_classes": 10**9}}, "num_classes"),
])
def test_tampered_config_json_is_one_line(tmp_path, capsys, change, message):
    run = RunDir.create(tmp_path / "run")
    (run.path / "config.json").write_text(json.dumps(change(MNIST_CONFIG)))
    for argv in (["eval", "--run", run.path], ["train", "--resume", run.path, "--quiet"]):
        code, err = _cli(capsys, *argv)
        assert code == 2 and _one_line_naming(err, "config.json") and message in err, err


# --- one writer, nothing lost or mixed -------------------------------------------------

def test_a_second_train_into_the_same_folder_fails_at_once(tmp_path, capsys):
    first = RunDir(tmp_path / "run")
    first.claim(fresh=True)            # as a training process does
    try:
        code, err = _cli(capsys, "train", *TINY, "--out", tmp_path / "run")
        assert code == 2 and _one_line_naming(err, "another training run is writing"), err
    finally:
        first.release()


def test_train_into_a_folder_holding_a_run_refuses_unless_overwrite(tmp_path, capsys):
    out = tmp_path / "run"
    assert _cli(capsys, "train", *TINY, "--out", out)[0] == 0
    before = (out / "model.pt").read_bytes()
    code, err = _cli(capsys, "train", *TINY, "--out", out)
    assert code == 2 and _one_line_naming(err, "--overwrite"), err
    assert (out / "model.pt").read_bytes() == before          # the old run is untouched
    assert _cli(capsys, "train", *TINY, "--seed", "1", "--out", out, "--overwrite")[0] == 0
    assert json.loads((out / "config.json").read_text())["seed"] == 1
    assert fresh_run_dir(out) == tmp_path / "run-2"           # the GUI's next fresh name


def test_a_fresh_run_into_an_old_folder_never_mixes_tasks(tmp_path):
    """Killed before its first epoch, an --overwrite run leaves its own config and no
    weights of the old task."""
    out = tmp_path / "run"
    train(TrainConfig(task="carvana", demo_size=12, image_size=32, epochs=1, batch_size=4,
                      model_options={"depth": 2, "base_width": 4}, out=str(out), device="cpu"))
    assert (out / "best.pt").exists()

    class Killed(Exception):
        pass

    def kill_at_start(event):
        raise Killed

    with pytest.raises(Killed):
        train(TrainConfig(task="mnist", demo_size=40, limit=16, epochs=1, out=str(out),
                          overwrite=True, device="cpu"), kill_at_start)
    assert json.loads((out / "config.json").read_text())["task"] == "mnist"
    assert not (out / "best.pt").exists() and not (out / "model.pt").exists()
    assert torch.load(out / "init.pt", weights_only=True)["meta"]["class_names"] == CLASS_NAMES


@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_a_kill_between_checkpoint_and_metrics_loses_no_epoch(tmp_path, monkeypatch, engine):
    """metrics.jsonl once read [1, 3, 4] after such a kill and --resume."""
    out = tmp_path / "run"
    config = dict(task="mnist", engine=engine, demo_size=60, limit=16, batch_size=8, epochs=3,
                  device="cpu", augment=False)

    class Killed(BaseException):
        pass

    real_commit = __import__("core.runs.lifecycle", fromlist=["EpochBook"]).EpochBook.commit

    def commit_or_die(book):
        if book.epochs_done == 2:
            raise Killed  # the checkpoint of epoch 2 is on disk, its metrics line is not
        real_commit(book)

    monkeypatch.setattr("core.runs.lifecycle.EpochBook.commit", commit_or_die)
    with pytest.raises(Killed):
        train(TrainConfig(out=str(out), **config))
    monkeypatch.setattr("core.runs.lifecycle.EpochBook.commit", real_commit)
    assert [r["epoch"] for r in RunDir.open(out).read_metrics()] == [1]
    summary = train(TrainConfig(resume=str(out), **config))
    assert summary["status"] == "finished"
    assert [r["epoch"] for r in RunDir.open(out).read_metrics()] == [1, 2, 3]


def test_seconds_count_the_time_before_a_resume_in_both_engines(tmp_path):
    for engine in ("torch", "numpy"):
        out = tmp_path / engine
        config = dict(task="mnist", engine=engine, demo_size=60, limit=16, batch_size=8,
                      device="cpu", augment=False)
        cancel = CancelToken()
        first = train(TrainConfig(out=str(out), epochs=2, **config),
                      lambda e: cancel.cancel() if isinstance(e, EpochEnd) else None, cancel)
        resumed = train(TrainConfig(resume=str(out), epochs=2, **config))
        assert resumed["seconds"] > first["seconds"] > 0, engine
        assert resumed["test_accuracy"] == resumed["test_metrics"]["accuracy"], engine
