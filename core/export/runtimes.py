"""Which runtime runs an exported model: ONNX Runtime, OpenVINO, or the run's own engine.

    predictor = open_predictor(model="cars.int8.onnx", runtime="auto", warn=print)
    predictor = open_predictor(run="runs/cars", runtime="auto")

``auto`` uses what the export report recommended for this file (or, for a run,
for the run's current weights: an export of older weights is ignored). With no
recommendation it tries OpenVINO and falls back to ONNX Runtime; whenever
OpenVINO is missing or fails to compile, ``auto`` says so in one line through
``warn`` and carries on with ONNX Runtime. An explicit runtime that cannot run
raises RunError (one line, exit 2 in the CLI). Nothing here imports torch unless
the torch runtime is asked for (or chosen for a run without a current export).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from core.errors import RunError
from core.export import recommend

RUNTIMES = ("auto", "onnxruntime", "openvino", "torch")
Warn = Callable[[str], None]


def open_exported(path: str | Path, runtime: str, threads: int | None = None,
                  precision_hint: str = "f32"):
    """An ONNX Runtime or OpenVINO predictor for ``path``; OpenVINO raises ImportError when
    the package is missing and RunError when it cannot compile the file."""
    if runtime == "onnxruntime":
        from core.export.onnx_predictor import OnnxPredictor

        return OnnxPredictor(path, threads=threads)
    if runtime == "openvino":
        from core.export.openvino_predictor import OpenVinoPredictor

        return OpenVinoPredictor(path, threads=threads, precision_hint=precision_hint)
    raise ValueError(f"unknown runtime {runtime!r} for an exported file")


def open_predictor(*, run: str | Path | None = None, model: str | Path | None = None,
                   runtime: str = "auto", weights: str = "model", threads: int | None = None,
                   warn: Warn = lambda message: None):
    """A predictor with ``runtime_note`` set (what runs it, and its measured figures)."""
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown runtime {runtime!r}; choose one of {', '.join(RUNTIMES)}")
    if model is not None:
        return _for_file(Path(model), runtime, threads, warn)
    return _for_run(Path(run), runtime, weights, threads, warn)


def _for_file(path: Path, runtime: str, threads: int | None, warn: Warn):
    if runtime == "torch":
        raise RunError(path, "an exported file has no torch weights: use --run RUN_DIR for --runtime torch")
    choice = recommend.read_for_model(path)  # the measured best runtime for this very file
    if runtime == "auto":
        return _auto(path, choice or {"runtime": "openvino", "precision_hint": "f32"}, threads, warn)
    same = choice if choice and choice["runtime"] == runtime else None
    hint = same.get("precision_hint", "f32") if same else "f32"
    return _noted(_open_or_explain(path, runtime, threads, hint), same)


def _for_run(run_dir: Path, runtime: str, weights: str, threads: int | None, warn: Warn):
    from core.runs.run_dir import RunDir

    RunDir.open(run_dir)
    if runtime == "torch":
        return _torch(run_dir, weights, "torch (asked for)")
    choice = recommend.read_for_run(run_dir, weights)
    if choice is None:
        if runtime == "auto":
            return _torch(run_dir, weights, "no export measured for these weights")
        raise RunError(run_dir, f"no current export to run with {runtime}: "
                                f"run `main.py export --run {run_dir}` first")
    path = run_dir / choice["file"]
    if runtime == "auto":
        return _auto(path, choice, threads, warn)
    hint = choice.get("precision_hint", "f32") if choice["runtime"] == runtime else "f32"
    return _noted(_open_or_explain(path, runtime, threads, hint), None)


def _auto(path: Path, choice: dict, threads: int | None, warn: Warn):
    if choice["runtime"] == "openvino":
        try:
            return _noted(open_exported(path, "openvino", threads, choice.get("precision_hint", "f32")),
                          choice if "latency_ms" in choice else None)
        except ImportError:
            warn("OpenVINO is not installed; using ONNX Runtime")
        except RunError as error:
            warn(f"{error}; using ONNX Runtime")
    return _noted(open_exported(path, "onnxruntime", threads),
                  choice if choice["runtime"] == "onnxruntime" else None)


def _open_or_explain(path: Path, runtime: str, threads: int | None, hint: str):
    try:
        return open_exported(path, runtime, threads, hint)
    except ImportError:
        raise RunError(path, f"{runtime} is not installed (pip install {runtime})") from None


def _torch(run_dir: Path, weights: str, why: str):
    from core.inference import Predictor

    predictor = Predictor.from_run(run_dir, weights=weights)
    predictor.runtime_note = f"{predictor.runtime} ({why})"
    return predictor


def _noted(predictor, choice: dict | None):
    predictor.runtime_note = recommend.describe(choice) if choice else _plain_name(predictor)
    return predictor


def _plain_name(predictor) -> str:
    name = recommend.RUNTIME_NAMES.get(predictor.runtime, predictor.runtime)
    hint = getattr(predictor, "precision_hint", "f32")
    return f"{name} {predictor.precision}" + (" (bf16 hint)" if hint == "bf16" else "")
