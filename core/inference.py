"""Predictor: any image -> class probabilities, or mask probabilities at its own size.

    predictor = Predictor.from_run("runs/carvana-torch-...", weights="best")
    probabilities = predictor.predict(image)   # (C,) or (H, W) float32

Loads torch runs here and NumPy-engine runs through ``core.numpy_cnn``. The
torch model supplies only the forward pass; pre- and post-processing, flip
averaging and tiling of large images are ``core.prediction.BasePredictor``'s,
shared with the NumPy, ONNX Runtime and OpenVINO predictors. Safe to call from
a GUI worker thread: one forward at a time, eval mode, no gradients, NumPy
copies out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from core.errors import RunError
from core.prediction import TILE_OVERLAP, TILE_SIZE, BasePredictor
from core.preprocess import Preprocess


class Predictor(BasePredictor):
    """A trained torch model plus everything needed to feed it raw images."""

    engine = "torch"
    runtime = "torch"

    def __init__(self, model, *, kind: str, task: str, class_names: list[str],
                 preprocess: Preprocess, device="cpu", model_name: str = "",
                 tile_size: int = TILE_SIZE, tile_overlap: int = TILE_OVERLAP):
        import torch

        super().__init__(kind=kind, task=task, class_names=class_names, preprocess=preprocess,
                         model_name=model_name, tile_size=tile_size, tile_overlap=tile_overlap)
        self.model = model
        self.device = torch.device(device)

    @classmethod
    def from_run(cls, run_dir: str | Path, weights: str = "model", device: str = "cpu"):
        """The run's model with ``weights`` ("model" = latest, "best"); numpy runs too."""
        from core.runs.run_dir import RunDir

        run = RunDir.open(run_dir)
        config = run.read_config()
        if weights not in ("model", "best"):
            raise ValueError(f"weights must be 'model' or 'best', not {weights!r}")
        if config.get("engine") == "numpy":
            from core.numpy_cnn.predictor import NumpyPredictor

            return NumpyPredictor.from_run(run_dir, weights=weights)
        return cls._from_torch_run(run, config, weights, device)

    @classmethod
    def _from_torch_run(cls, run, config: dict[str, Any], weights: str, device: str):
        from core.models import create_model
        from core.runs.weights import load_state_into, state_dict

        try:
            name, options = config["model"], dict(config.get("model_options") or {})
            preprocess = Preprocess.from_dict(config["preprocess"])
            kind, class_names = config["kind"], list(config["class_names"])
        except (KeyError, TypeError, ValueError) as error:
            raise RunError(run.file("config.json"), f"missing or bad entry {error}") from None
        path = run.weights("best" if weights == "best" else "latest")
        try:
            model = create_model(name, **options)
        except ValueError as error:
            raise RunError(run.file("config.json"), str(error)) from None
        load_state_into(model, state_dict(path), path)
        model.to(device).eval()
        return cls(model, kind=kind, task=config.get("task", ""), class_names=class_names,
                   preprocess=preprocess, device=device, model_name=name)

    # --- the forward pass (everything around it is BasePredictor's) ---------------------
    def forward(self, batch: np.ndarray) -> np.ndarray:
        """float32 (N, C, H, W) -> logits (N, classes) or (N, K, H, W), eval mode, no gradients."""
        import torch

        with torch.no_grad():
            was_training = self.model.training
            self.model.eval()
            try:
                inputs = torch.from_numpy(np.ascontiguousarray(batch)).to(self.device)
                return self.model(inputs).float().cpu().numpy()
            finally:
                self.model.train(was_training)

    # --- inspection (the GUI's inspector) ---------------------------------------------
    def first_layer_filters(self) -> np.ndarray | None:
        """Weights of the first convolution, float32 (out, in, kh, kw); None without one."""
        import torch

        for module in self.model.modules():
            if isinstance(module, torch.nn.Conv2d):
                return module.weight.detach().float().cpu().numpy().copy()
        return None

    def feature_maps(self, image: np.ndarray, limit: int = 8) -> list[tuple[str, np.ndarray]]:
        """(layer name, float32 (C, H, W)) for the first ``limit`` conv layers' outputs."""
        import torch

        conv_layers = [(name, module) for name, module in self.model.named_modules()
                       if isinstance(module, torch.nn.Conv2d)][:limit]
        maps: list[tuple[str, np.ndarray]] = []
        pixels = self.preprocess(np.asarray(image))[None]
        with self._lock:  # the hooks must see this forward only
            hooks = [module.register_forward_hook(
                lambda _m, _i, output, name=name: maps.append(
                    (name, output[0].detach().float().cpu().numpy().copy())))
                for name, module in conv_layers]
            try:
                self.logits(pixels)
            finally:
                for hook in hooks:
                    hook.remove()
        return maps
