"""torch model -> ONNX file with dynamic batch (and height/width for masks), self-describing.

We use torch's TorchScript-based exporter (``dynamo=False``): on this CPU it
exports the U-Net in ~0.3 s against ~12 s for the torch.export-based one, and
its graph quantizes just as well. The metadata_props carry kind, class names,
task and the Preprocess recipe, so ``OnnxPredictor`` needs nothing but the file.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np

from core.atomic import atomic_write_bytes

INPUT_NAME = "image"
OUTPUT_NAME = "logits"
OPSET = 17


def export_onnx(model, example: np.ndarray, path: str | Path, *, dynamic_size: bool,
                metadata: dict[str, str]) -> None:
    """Write ``model`` (eval mode) traced on ``example`` float32 (1, C, H, W) to ``path`` atomically."""
    import onnx
    import torch

    axes = {0: "batch", 2: "height", 3: "width"} if dynamic_size else {0: "batch"}
    output_axes = axes if dynamic_size else {0: "batch"}
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's deprecation and tracer warnings
        torch.onnx.export(model.eval(), (torch.from_numpy(np.ascontiguousarray(example)),), buffer,
                          dynamo=False, opset_version=OPSET, input_names=[INPUT_NAME],
                          output_names=[OUTPUT_NAME], do_constant_folding=True,
                          dynamic_axes={INPUT_NAME: axes, OUTPUT_NAME: output_axes})
    proto = onnx.load_from_string(buffer.getvalue())
    set_metadata(proto, metadata)
    onnx.checker.check_model(proto)
    atomic_write_bytes(path, proto.SerializeToString())


def set_metadata(proto, metadata: dict[str, str]) -> None:
    """Replace the model's metadata_props with ``metadata`` (string keys and values)."""
    del proto.metadata_props[:]
    for key, value in sorted(metadata.items()):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, str(value)


def read_metadata(path: str | Path) -> dict[str, str]:
    import onnx

    proto = onnx.load(str(path), load_external_data=False)
    return {entry.key: entry.value for entry in proto.metadata_props}
