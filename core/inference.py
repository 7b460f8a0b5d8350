"""Predictor: any image -> class probabilities, or mask probabilities at its own size.

    predictor = Predictor.from_run("runs/carvana-torch-...", weights="best")
    probabilities = predictor.predict(image)   # (C,) or (H, W) float32

Loads torch runs here and NumPy-engine runs through ``core.numpy_cnn``; both
prepare pixels with the run's stored ``Preprocess``. Segmentation images are
resized to the training size and the probabilities resized back; runs trained
at native size (``preprocess.size`` None) predict large images in overlapping
tiles. Safe to call from a GUI worker thread: one forward at a time, eval mode,
no gradients, NumPy copies out.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import RunError
from core.postprocess import mask_output, resize_probabilities
from core.preprocess import Preprocess

TILE_SIZE = 1024   # images with a larger side are predicted tile by tile
TILE_OVERLAP = 64  # pixels shared by neighbouring tiles, blended linearly


class Predictor:
    """A trained torch model plus everything needed to feed it raw images."""

    engine = "torch"

    def __init__(self, model, *, kind: str, task: str, class_names: list[str],
                 preprocess: Preprocess, device="cpu", model_name: str = "",
                 tile_size: int = TILE_SIZE, tile_overlap: int = TILE_OVERLAP):
        import torch

        self.model = model
        self.kind = kind
        self.task = task
        self.class_names = list(class_names)
        self.preprocess = preprocess
        self.device = torch.device(device)
        self.model_name = model_name
        self.tile_size = tile_size
        self.tile_overlap = tile_overlap
        self._lock = threading.Lock()

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
        path = run.file(f"{weights}.pt")
        if not path.is_file():
            raise RunError(path, "no weights yet (the run has not finished an epoch)")
        try:
            model = create_model(name, **options)
        except ValueError as error:
            raise RunError(run.file("config.json"), str(error)) from None
        load_state_into(model, state_dict(path), path)
        model.to(device).eval()
        return cls(model, kind=kind, task=config.get("task", ""), class_names=class_names,
                   preprocess=preprocess, device=device, model_name=name)

    # --- prediction ---------------------------------------------------------------
    def predict(self, image: np.ndarray, tta: bool = False) -> np.ndarray:
        """uint8 (H, W) or (H, W, 3) -> (C,) class probabilities, or (H, W) float32 mask
        probabilities at the image's size ((K, H, W) for K > 2 mask classes).
        ``tta`` averages with the horizontally flipped image."""
        image = np.asarray(image)
        if self.kind == "classification":
            return self.predict_batch([image], tta=tta)[0]
        pixels = self.preprocess.to_channels(image)
        height, width = pixels.shape[:2]
        if self.preprocess.size is None and max(height, width) > self.tile_size:
            probabilities = self._tiled(pixels, tta)
        else:
            chw = self.preprocess(pixels)                                 # (C, h, w)
            probabilities = self._forward(chw[None], tta)[0]             # (K, h, w)
        return mask_output(resize_probabilities(probabilities, (height, width)))

    def predict_batch(self, images: list[np.ndarray], tta: bool = False) -> list[np.ndarray]:
        """Several images at once: classification batches them; masks go one by one."""
        if self.kind != "classification":
            return [self.predict(image, tta) for image in images]
        batch = self.preprocess.batch([np.asarray(image) for image in images])  # (N, C, H, W)
        return list(self._forward(batch, tta))

    def _forward(self, batch: np.ndarray, tta: bool) -> np.ndarray:
        """float32 (N, C, H, W) -> probabilities (N, classes) or (N, K, H, W)."""
        import torch

        with self._lock, torch.no_grad():
            was_training = self.model.training
            self.model.eval()
            inputs = torch.from_numpy(np.ascontiguousarray(batch)).to(self.device)
            probabilities = self._probabilities(self.model(inputs).float())
            if tta:
                flipped = self._probabilities(self.model(inputs.flip(-1)).float())
                if self.kind != "classification":
                    flipped = flipped.flip(-1)
                probabilities = (probabilities + flipped) / 2
            self.model.train(was_training)
        return probabilities.cpu().numpy().astype(np.float32)

    @staticmethod
    def _probabilities(logits):
        import torch

        if logits.dim() == 4 and logits.shape[1] == 1:
            return torch.sigmoid(logits)
        return torch.softmax(logits, dim=1)

    def _tiled(self, pixels: np.ndarray, tta: bool) -> np.ndarray:
        """Overlapping tiles, each weighted by a ramp towards its edges, averaged."""
        height, width = pixels.shape[:2]
        normalise = replace(self.preprocess, size=None)
        tile, step = self.tile_size, self.tile_size - self.tile_overlap
        total, weight = None, np.zeros((height, width), np.float32)
        for top in _tile_starts(height, tile, step):
            for left in _tile_starts(width, tile, step):
                crop = pixels[top:top + tile, left:left + tile]
                probabilities = self._forward(normalise(crop)[None], tta)[0]  # (K, h, w)
                ramp = _ramp(crop.shape[:2], self.tile_overlap)
                if total is None:
                    total = np.zeros((probabilities.shape[0], height, width), np.float32)
                total[:, top:top + tile, left:left + tile] += probabilities * ramp
                weight[top:top + tile, left:left + tile] += ramp
        return total / np.maximum(weight, 1e-6)

    # --- inspection (the GUI's inspector) ---------------------------------------------
    def first_layer_filters(self) -> np.ndarray:
        """Weights of the first convolution, float32 (out, in, kh, kw)."""
        import torch

        for module in self.model.modules():
            if isinstance(module, torch.nn.Conv2d):
                return module.weight.detach().float().cpu().numpy().copy()
        raise RunError(None, f"model {self.model_name!r} has no convolution layer")

    def feature_maps(self, image: np.ndarray, limit: int = 8) -> list[tuple[str, np.ndarray]]:
        """(layer name, float32 (C, H, W)) for the first ``limit`` conv layers' outputs."""
        import torch

        conv_layers = [(name, module) for name, module in self.model.named_modules()
                       if isinstance(module, torch.nn.Conv2d)][:limit]
        maps: list[tuple[str, np.ndarray]] = []
        hooks = [module.register_forward_hook(
            lambda _m, _i, output, name=name: maps.append(
                (name, output[0].detach().float().cpu().numpy().copy())))
            for name, module in conv_layers]
        try:
            pixels = self.preprocess(np.asarray(image))[None]
            self._forward(pixels, tta=False)
        finally:
            for hook in hooks:
                hook.remove()
        return maps


def _tile_starts(length: int, tile: int, step: int) -> list[int]:
    if length <= tile:
        return [0]
    starts = list(range(0, length - tile, step))
    return starts + [length - tile]


def _ramp(shape: tuple[int, int], overlap: int) -> np.ndarray:
    """1 in the middle, falling linearly to small values across ``overlap`` at each edge."""
    def axis(n: int) -> np.ndarray:
        distance = np.minimum(np.arange(n), np.arange(n)[::-1]) + 1
        return np.minimum(distance / max(overlap, 1), 1.0).astype(np.float32)
    return np.outer(axis(shape[0]), axis(shape[1]))
