"""What an export needs from a run: the torch model, a reference forward, the pixel recipe.

Torch runs export their own model; NumPy-engine runs export their torch twin
(same layers, same weights), and the export is checked against the NumPy
engine itself, not against the twin.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from core.errors import RunError
from core.preprocess import Preprocess


@dataclass
class ExportSource:
    run_dir: Path
    config: dict[str, Any]
    kind: str                                        # classification | segmentation
    task: str
    class_names: list[str]
    preprocess: Preprocess
    model_name: str
    engine: str                                      # torch | numpy
    weights_path: Path                               # model.pt / model.npz that was loaded
    torch_model: Any                                 # nn.Module in eval mode, float32, CPU
    reference: Callable[[np.ndarray], np.ndarray]    # float32 (N, C, H, W) -> logits, the run's own engine

    def metadata(self) -> dict[str, str]:
        """Everything OnnxPredictor needs, as ONNX metadata_props (strings)."""
        import json

        return {"kind": self.kind, "task": self.task, "model": self.model_name,
                "engine": self.engine, "class_names": json.dumps(self.class_names),
                "preprocess": json.dumps(self.preprocess.to_dict()), "output": "logits",
                "producer": "cnn-lytical"}


def load_source(run_dir: str | Path, weights: str = "model") -> ExportSource:
    """Load a run for export; a missing or broken run raises RunError naming the file."""
    from core.inference import Predictor
    from core.runs.run_dir import RunDir

    run = RunDir.open(run_dir)
    config = run.read_config()
    engine = config.get("engine", "torch")
    predictor = Predictor.from_run(run_dir, weights=weights)
    if engine == "numpy":
        torch_model, reference = _numpy_twin(predictor.model)
    else:
        torch_model = predictor.model.float().cpu().eval()
        reference = _torch_forward(torch_model)
    weights_path = run.weights("best" if weights == "best" else "latest")
    return ExportSource(run.path, config, predictor.kind, config.get("task", ""),
                        list(predictor.class_names), predictor.preprocess,
                        config.get("model", ""), engine, weights_path, torch_model, reference)


def _torch_forward(model) -> Callable[[np.ndarray], np.ndarray]:
    def forward(batch: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return model(torch.from_numpy(np.ascontiguousarray(batch))).float().numpy()
    return forward


def _numpy_twin(numpy_model) -> tuple[Any, Callable[[np.ndarray], np.ndarray]]:
    from core.numpy_cnn.torch_twin import to_torch

    try:
        twin = to_torch(numpy_model).float().eval()
    except ValueError as error:
        raise RunError(None, f"this NumPy model cannot be exported: {error}") from None

    def forward(batch: np.ndarray) -> np.ndarray:
        return np.asarray(numpy_model.forward(batch.astype(numpy_model.dtype), training=False),
                          np.float32)
    return twin, forward
