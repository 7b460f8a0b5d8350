"""NumpyPredictor: a NumPy-engine run -> class probabilities for raw uint8 images.

Same interface as ``core.inference.Predictor`` (which delegates numpy runs
here): ``kind``, ``class_names``, ``preprocess``, ``predict``,
``predict_batch``, plus ``first_layer_filters`` and ``feature_maps`` for the
GUI's inspector. Each call is a pure function of the weights (eval mode), so
it is safe from a worker thread.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from core.errors import RunError
from core.numpy_cnn.losses import softmax
from core.numpy_cnn.model import Sequential
from core.numpy_cnn.serialize import load_model
from core.preprocess import Preprocess


class NumpyPredictor:
    kind = "classification"

    def __init__(self, model: Sequential, class_names: list[str], preprocess: Preprocess,
                 task: str = "mnist", model_name: str = "lenet_numpy"):
        self.model = model
        self.class_names = list(class_names)
        self.preprocess = preprocess
        self.task = task
        self.model_name = model_name
        self._lock = threading.Lock()  # layers cache activations during forward

    @classmethod
    def from_run(cls, run_dir: str | Path, weights: str = "model") -> "NumpyPredictor":
        """The run's ``model.npz`` (latest epoch) or ``best.npz``."""
        from core.runs.run_dir import RunDir

        if weights not in ("model", "best"):
            raise ValueError(f"weights must be 'model' or 'best', not {weights!r}")
        run = RunDir.open(run_dir)
        config = run.read_config()
        try:
            preprocess = Preprocess.from_dict(config["preprocess"])
            class_names = list(config["class_names"])
        except (KeyError, TypeError, ValueError) as error:
            raise RunError(run.file("config.json"), f"missing or bad entry {error}") from None
        path = run.file(f"{weights}.npz")
        if not path.is_file():
            raise RunError(path, "no weights yet (the run has not finished an epoch)")
        model = load_model(path)
        return cls(model, class_names, preprocess, config.get("task", "mnist"),
                   config.get("model", "lenet_numpy"))

    def predict(self, image: np.ndarray, tta: bool = False) -> np.ndarray:
        """uint8 (H, W) or (H, W, 3) -> float32 (num_classes,) probabilities."""
        return self.predict_batch([image], tta=tta)[0]

    def predict_batch(self, images: list[np.ndarray], tta: bool = False) -> list[np.ndarray]:
        """Several images in one forward pass; ``tta`` is accepted for interface parity
        and ignored (flipping a digit changes its meaning)."""
        batch = self.preprocess.batch([np.asarray(image) for image in images])  # (N, C, H, W)
        with self._lock:
            logits = self.model.forward(batch.astype(self.model.dtype), training=False)
        return list(softmax(logits).astype(np.float32))

    def first_layer_filters(self) -> np.ndarray:
        """Weights of the first convolution, float32 (out, in, kh, kw), e.g. (16, 1, 3, 3)."""
        for layer in self.model.layers:
            if layer.kind == "Conv2D":
                return layer.params["weight"].astype(np.float32).copy()
        raise RunError(None, f"model {self.model_name!r} has no convolution layer")

    def feature_maps(self, image: np.ndarray, limit: int = 8) -> list[tuple[str, np.ndarray]]:
        """(layer name, float32 (C, H, W)) for the outputs of the first ``limit`` conv layers."""
        x = self.preprocess(np.asarray(image))[None].astype(self.model.dtype)  # (1, C, H, W)
        maps: list[tuple[str, np.ndarray]] = []
        with self._lock:
            for layer in self.model.layers:
                x = layer.forward(x, training=False)
                if layer.kind == "Conv2D" and len(maps) < limit:
                    maps.append((layer.name, x[0].astype(np.float32).copy()))
        return maps
