"""Static int8 quantization with ONNX Runtime: QDQ format, per-channel weights.

Calibration images come from the run's TRAINING split only: calibrating on
the held-out images would tune activation ranges to the very data the report
then scores. ``torch.ao.quantization`` is deprecated in our torch, so the whole
path is ONNX Runtime's: ``quant_pre_process`` (shape inference + graph
optimisation) then ``quantize_static``.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
from pathlib import Path

import numpy as np
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                      QuantType, quantize_static)
from onnxruntime.quantization.shape_inference import quant_pre_process

from core.data.base import Dataset
from core.export.onnx_export import INPUT_NAME, read_metadata
from core.preprocess import Preprocess


class TrainingSplitReader(CalibrationDataReader):
    """Feeds ``count`` preprocessed images of ``dataset.splits["train"]``, one at a time.

    ``indices`` are the dataset indices used (a seeded sample of the training split).
    """

    def __init__(self, dataset: Dataset, preprocess: Preprocess, count: int, seed: int = 0):
        train = np.asarray(dataset.splits.get("train", ()), dtype=np.int64)
        if len(train) == 0:
            raise ValueError("the dataset has no training split to calibrate on")
        count = min(max(1, int(count)), len(train))
        chosen = np.random.default_rng(seed).choice(len(train), size=count, replace=False)
        self.indices = train[np.sort(chosen)]
        self.dataset = dataset
        self.preprocess = preprocess
        self.served = 0

    def get_next(self) -> dict[str, np.ndarray] | None:
        if self.served >= len(self.indices):
            return None
        sample = self.dataset[int(self.indices[self.served])]
        self.served += 1
        return {INPUT_NAME: self.preprocess(sample.image)[None]}  # (1, C, H, W)

    def rewind(self) -> None:
        self.served = 0


def quantize_int8(fp32_path: str | Path, int8_path: str | Path, reader: CalibrationDataReader,
                  *, per_channel: bool = True) -> None:
    """fp32 ONNX -> int8 QDQ ONNX at ``int8_path`` (written atomically, metadata kept)."""
    import onnx

    from core.atomic import atomic_write_bytes
    from core.export.onnx_export import set_metadata

    int8_path = Path(int8_path)
    with tempfile.TemporaryDirectory(prefix="cnnlytical-quant-") as folder, _quiet():
        prepared = Path(folder) / "prepared.onnx"
        quantized = Path(folder) / "quantized.onnx"
        _pre_process(Path(fp32_path), prepared)
        quantize_static(str(prepared), str(quantized), reader, quant_format=QuantFormat.QDQ,
                        per_channel=per_channel, activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax)
        proto = onnx.load(str(quantized))
    set_metadata(proto, {**read_metadata(fp32_path), "precision": "int8"})
    atomic_write_bytes(int8_path, proto.SerializeToString())


def _pre_process(source: Path, target: Path) -> None:
    """ORT's recommended pre-processing, without its symbolic shape inference.

    Symbolic inference is for transformer-style dynamic shapes; ONNX's own shape
    inference covers these CNNs. It also gives up on the U-Net's pad-to-2^depth
    graph and then dumps ``sym_shape_infer_temp.onnx`` plus a uuid-named ``.data``
    file into the current directory, which a desktop app must never do.
    """
    quant_pre_process(str(source), str(target), skip_symbolic_shape=True)


@contextlib.contextmanager
def _quiet():
    """The CLI's stdout is the JSON report: calibration notes go to stderr, shape-inference
    chatter ("Unable to determine if ... treat as equal") is dropped."""
    logger = logging.getLogger("onnxruntime.tools.symbolic_shape_infer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        logger.setLevel(level)
