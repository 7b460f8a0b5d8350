"""ExportedPredictor: what the ONNX Runtime and OpenVINO predictors share.

An exported ``.onnx`` file describes itself in its metadata_props (kind, class
names, task, the Preprocess recipe, precision), so a runtime needs nothing but
the file. This module turns that metadata into a ``core.prediction.BasePredictor``;
each runtime adds only how it opens the file and runs the forward pass. No
torch here.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.errors import RunError
from core.prediction import BasePredictor
from core.preprocess import Preprocess

REQUIRED_METADATA = ("kind", "class_names", "preprocess")


class ExportedPredictor(BasePredictor):
    """A predictor for an exported file; ``path`` and ``precision`` (fp32 | int8) say which."""

    def __init__(self, path: str | Path, metadata: dict[str, str]):
        self.path = Path(path)
        missing = [key for key in REQUIRED_METADATA if key not in metadata]
        if missing:
            raise RunError(self.path, f"not a CNN-Lytical export (metadata lacks {', '.join(missing)})")
        try:
            kind = metadata["kind"]
            class_names = list(json.loads(metadata["class_names"]))
            preprocess = Preprocess.from_dict(json.loads(metadata["preprocess"]))
        except (ValueError, KeyError, TypeError) as error:
            raise RunError(self.path, f"bad export metadata ({error})") from None
        super().__init__(kind=kind, task=metadata.get("task", ""), class_names=class_names,
                         preprocess=preprocess, model_name=metadata.get("model", ""))
        self.engine = metadata.get("engine", "")  # the engine that trained it: torch | numpy
        self.precision = metadata.get("precision", "fp32")
