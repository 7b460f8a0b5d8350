"""OnnxPredictor: an exported .onnx file -> the same answers as ``core.inference.Predictor``.

Only ONNX Runtime, NumPy and OpenCV are in this path (no torch), so a shipped
model runs on a machine without torch. Everything else it needs (kind, class
names, the Preprocess recipe) is read from the file's metadata_props.

    predictor = OnnxPredictor("model.int8.onnx")
    probabilities = predictor.predict(image)   # (C,) or (H, W) float32
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core.errors import RunError
from core.postprocess import mask_output, resize_probabilities, to_probabilities
from core.preprocess import Preprocess

REQUIRED_METADATA = ("kind", "class_names", "preprocess")


class OnnxPredictor:
    def __init__(self, path: str | Path, threads: int | None = None):
        """``threads``: ONNX Runtime intra-op threads (None = its default, all cores)."""
        self.path = Path(path)
        self.session = open_session(self.path, threads)
        metadata = self.session.get_modelmeta().custom_metadata_map
        missing = [key for key in REQUIRED_METADATA if key not in metadata]
        if missing:
            raise RunError(self.path, f"not a CNN-Lytical export (metadata lacks {', '.join(missing)})")
        try:
            self.kind = metadata["kind"]
            self.class_names = list(json.loads(metadata["class_names"]))
            self.preprocess = Preprocess.from_dict(json.loads(metadata["preprocess"]))
        except (ValueError, KeyError, TypeError) as error:
            raise RunError(self.path, f"bad export metadata ({error})") from None
        self.task = metadata.get("task", "")
        self.model_name = metadata.get("model", "")
        self.precision = metadata.get("precision", "fp32")
        self.input_name = self.session.get_inputs()[0].name

    def logits(self, batch: np.ndarray) -> np.ndarray:
        """float32 (N, C, H, W) preprocessed pixels -> raw model output."""
        inputs = {self.input_name: np.ascontiguousarray(batch, dtype=np.float32)}
        return self.session.run(None, inputs)[0]

    def predict(self, image: np.ndarray, tta: bool = False) -> np.ndarray:
        """uint8 (H, W) or (H, W, 3) -> (C,) class probabilities, or (H, W) float32 mask
        probabilities at the image's own size ((K, H, W) for K > 2 mask classes)."""
        image = np.asarray(image)
        if self.kind == "classification":
            return self.predict_batch([image], tta=tta)[0]
        pixels = self.preprocess.to_channels(image)
        height, width = pixels.shape[:2]
        probabilities = self._probabilities(self.preprocess(pixels)[None], tta)[0]  # (K, h, w)
        return mask_output(resize_probabilities(probabilities, (height, width)))

    def predict_batch(self, images: list[np.ndarray], tta: bool = False) -> list[np.ndarray]:
        """Several images: classification runs them as one batch; masks go one by one."""
        if self.kind != "classification":
            return [self.predict(image, tta) for image in images]
        batch = self.preprocess.batch([np.asarray(image) for image in images])  # (N, C, H, W)
        return list(self._probabilities(batch, tta))

    def _probabilities(self, batch: np.ndarray, tta: bool) -> np.ndarray:
        probabilities = to_probabilities(self.logits(batch))
        if tta:
            flipped = to_probabilities(self.logits(batch[..., ::-1]))
            if self.kind != "classification":
                flipped = flipped[..., ::-1]
            probabilities = (probabilities + flipped) / 2
        return probabilities.astype(np.float32)


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
