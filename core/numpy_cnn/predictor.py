"""NumpyPredictor: a NumPy-engine run -> class probabilities for raw uint8 images.

A ``core.prediction.BasePredictor`` (``core.inference.Predictor`` delegates
numpy runs here): the engine supplies the forward pass and, for the GUI's
inspector, ``first_layer_filters`` and ``feature_maps``; batching, softmax and
the rest are the base's. Each call is a pure function of the weights (eval
mode) under the base's lock, so it is safe from a worker thread.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.errors import RunError
from core.numpy_cnn.model import Sequential
from core.numpy_cnn.serialize import load_model
from core.prediction import BasePredictor
from core.preprocess import Preprocess


class NumpyPredictor(BasePredictor):
    engine = "numpy"
    runtime = "numpy"
    flip_tta = False  # ``tta`` is accepted and ignored: flipping a digit changes its meaning

    def __init__(self, model: Sequential, class_names: list[str], preprocess: Preprocess,
                 task: str = "mnist", model_name: str = "lenet_numpy"):
        super().__init__(kind="classification", task=task, class_names=class_names,
                         preprocess=preprocess, model_name=model_name)
        self.model = model

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
        path = run.weights("best" if weights == "best" else "latest")
        model = load_model(path)
        return cls(model, class_names, preprocess, config.get("task", "mnist"),
                   config.get("model", "lenet_numpy"))

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """float32 (N, C, H, W) -> logits (N, classes); the caller holds the lock (layers
        cache activations during forward)."""
        return self.model.forward(batch.astype(self.model.dtype), training=False)

    def first_layer_filters(self) -> np.ndarray | None:
        """Weights of the first convolution, float32 (out, in, kh, kw), e.g. (16, 1, 3, 3)."""
        for layer in self.model.layers:
            if layer.kind == "Conv2D":
                return layer.params["weight"].astype(np.float32).copy()
        return None

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
