"""OpenVinoPredictor: the same exported .onnx files, run by Intel's OpenVINO on the CPU.

The fp32 and the int8 (QDQ) files that ONNX Runtime runs are read as they are:
OpenVINO turns QDQ pairs into its own int8 kernels (including the U-Net's
transposed convolution, which ONNX Runtime runs in float). The file is compiled
once and one infer request is reused for every call (the base class's lock keeps
calls one at a time). Settings are chosen, not left to defaults:

- ``INFERENCE_NUM_THREADS``: the caller's thread count (None = OpenVINO's own).
- ``INFERENCE_PRECISION_HINT``: "f32" by default. OpenVINO's CPU default is bf16
  wherever the CPU has it, which changes the answers; "bf16" is used only where
  ``OPTIMIZATION_CAPABILITIES`` lists BF16 and the export report's accuracy check
  accepted it (``core.export.runtimes``).
- ``PERFORMANCE_HINT`` LATENCY with one stream: one image at a time, as the app predicts.
- ``ENABLE_CPU_PINNING`` off: a pinned thread waits whenever its core is busy with
  anything else (the UI, a training run, a neighbour on a shared machine): LeNet took
  16 ms pinned against 0.35 ms unpinned on our busy 2-core machine.

NumPy and openvino only: no torch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.errors import RunError
from core.export.exported import ExportedPredictor

PRECISION_HINTS = ("f32", "bf16")


class OpenVinoPredictor(ExportedPredictor):
    runtime = "openvino"

    def __init__(self, path: str | Path, threads: int | None = None, precision_hint: str = "f32"):
        model, compiled = compile_model(Path(path), threads, precision_hint)
        super().__init__(path, model_metadata(model))
        self.precision_hint = precision_hint
        self.request = compiled.create_infer_request()

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """float32 (N, C, H, W) preprocessed pixels -> raw model output (a copy)."""
        return np.array(self.request.infer({0: batch})[0], copy=True)


def compile_model(path: Path, threads: int | None, precision_hint: str):
    """(ov.Model, ov.CompiledModel) for the CPU; a missing file or a failed compile raises
    RunError naming the file; an absent openvino package raises ImportError."""
    import openvino as ov

    if precision_hint not in PRECISION_HINTS:
        raise ValueError(f"precision hint must be one of {', '.join(PRECISION_HINTS)}")
    if not path.is_file():
        raise RunError(path, "model file does not exist")
    config = {"INFERENCE_PRECISION_HINT": precision_hint, "PERFORMANCE_HINT": "LATENCY",
              "NUM_STREAMS": "1", "ENABLE_CPU_PINNING": False}
    if threads:
        config["INFERENCE_NUM_THREADS"] = str(int(threads))
    try:
        core = ov.Core()
        model = core.read_model(str(path))
        return model, core.compile_model(model, "CPU", config)
    except Exception as error:  # noqa: BLE001 - OpenVINO raises RuntimeError subclasses of its own
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise RunError(path, f"OpenVINO cannot compile it ({first_line[:200]})") from None


def model_metadata(model) -> dict[str, str]:
    """The ONNX file's metadata_props, which OpenVINO's ONNX reader keeps under rt_info
    "framework"."""
    info = model.get_rt_info()
    if "framework" not in info:
        return {}
    return {str(key): model.get_rt_info(["framework", str(key)]).astype(str)
            for key in info["framework"]}


def cpu_capabilities() -> list[str]:
    """OpenVINO's OPTIMIZATION_CAPABILITIES for the CPU, e.g. ["FP32", "INT8", "BF16"]."""
    import openvino as ov

    return [str(value) for value in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")]
