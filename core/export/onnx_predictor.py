"""OnnxPredictor: an exported .onnx file -> the same answers as ``core.inference.Predictor``.

Only ONNX Runtime, NumPy and OpenCV are in this path (no torch), so a shipped
model runs on a machine without torch. ONNX Runtime runs everywhere and is the
reference the other runtimes are checked against. Everything else it needs
(kind, class names, the Preprocess recipe) is read from the file's
metadata_props (``core.export.exported``).

    predictor = OnnxPredictor("model.int8.onnx")
    probabilities = predictor.predict(image)   # (C,) or (H, W) float32
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.errors import RunError
from core.export.exported import ExportedPredictor


class OnnxPredictor(ExportedPredictor):
    runtime = "onnxruntime"

    def __init__(self, path: str | Path, threads: int | None = None):
        """``threads``: ONNX Runtime intra-op threads (None = its default, all cores)."""
        self.session = open_session(Path(path), threads)
        super().__init__(path, dict(self.session.get_modelmeta().custom_metadata_map))
        self.input_name = self.session.get_inputs()[0].name

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """float32 (N, C, H, W) preprocessed pixels -> raw model output."""
        return self.session.run(None, {self.input_name: batch})[0]


def open_session(path: Path, threads: int | None = None):
    """An ONNX Runtime CPU session; a missing or corrupt file raises RunError naming it."""
    import onnxruntime as ort

    if not path.is_file():
        raise RunError(path, "model file does not exist")
    options = ort.SessionOptions()
    options.log_severity_level = 3  # errors only: ORT's warnings are not the user's business
    if threads:
        options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # noqa: BLE001 - ORT raises its own non-exported exception types
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise RunError(path, f"ONNX Runtime cannot load it ({first_line[:200]})") from None
