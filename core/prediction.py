"""BasePredictor: raw images -> probabilities; each engine supplies only ``forward``.

    class MyPredictor(BasePredictor):
        runtime = "my-runtime"
        def forward(self, batch):      # float32 (N, C, H, W) -> raw outputs (logits)
            ...

Everything else is shared by the torch, NumPy, ONNX Runtime and OpenVINO
predictors, so they cannot drift: pixels prepared with the run's stored
``Preprocess``, flip averaging (``tta``), logits -> probabilities
(``core.postprocess``), masks brought back to the image's own size, and large
images. A model trained at a fixed working size sees a large image reduced to
that size (the Preprocess resizes); a model trained at native size
(``preprocess.size`` None) sees images larger than ``tile_size`` in overlapping
tiles, blended linearly. One forward at a time (a lock), so a GUI worker and a
scorer can share a predictor. NumPy and OpenCV only: the exported-model
predictors stay torch-free.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np

from core.postprocess import mask_output, resize_probabilities, to_probabilities
from core.preprocess import Preprocess

TILE_SIZE = 1024   # native-size models: images with a larger side go tile by tile
TILE_OVERLAP = 64  # pixels shared by neighbouring tiles, blended linearly


class BasePredictor:
    """``kind`` (classification | segmentation), ``class_names``, ``preprocess`` and
    ``predict``/``predict_batch`` for every engine; subclasses implement ``forward``."""

    engine = ""           # what trained the model: torch | numpy
    runtime = ""          # what runs the forward: torch | numpy | onnxruntime | openvino
    precision = "fp32"
    flip_tta = True       # False where a flipped input means something else

    def __init__(self, *, kind: str, task: str, class_names: list[str], preprocess: Preprocess,
                 model_name: str = "", tile_size: int = TILE_SIZE, tile_overlap: int = TILE_OVERLAP):
        self.kind = kind
        self.task = task
        self.class_names = list(class_names)
        self.preprocess = preprocess
        self.model_name = model_name
        self.tile_size = tile_size
        self.tile_overlap = tile_overlap
        self.runtime_note = ""  # what the status bar shows: the runtime and its measured figures
        self._lock = threading.RLock()

    # --- what an engine supplies ---------------------------------------------------------
    def forward(self, batch: np.ndarray) -> np.ndarray:
        """float32 (N, C, H, W) preprocessed pixels -> raw outputs (N, classes) or (N, K, h, w)."""
        raise NotImplementedError

    def first_layer_filters(self) -> np.ndarray | None:
        """float32 (out, in, kh, kw) first-convolution weights, or None when this runtime
        cannot show them (exported models): the Inspector asks this, not ``hasattr``."""
        return None

    def feature_maps(self, image: np.ndarray, limit: int = 8) -> list[tuple[str, np.ndarray]]:
        """(layer name, float32 (C, H, W)) of the first ``limit`` conv layers; [] if unavailable."""
        return []

    # --- shared -------------------------------------------------------------------------
    def logits(self, batch: np.ndarray) -> np.ndarray:
        """``forward`` under the lock, as float32."""
        with self._lock:
            return np.asarray(self.forward(np.ascontiguousarray(batch, dtype=np.float32)), np.float32)

    def probabilities(self, batch: np.ndarray, tta: bool = False) -> np.ndarray:
        """float32 (N, C, H, W) -> probabilities (N, classes) or (N, K, h, w); ``tta`` averages
        with the horizontally flipped batch (masks flipped back)."""
        probabilities = to_probabilities(self.logits(batch))
        if tta and self.flip_tta:
            flipped = to_probabilities(self.logits(batch[..., ::-1]))
            if self.kind != "classification":
                flipped = flipped[..., ::-1]
            probabilities = (probabilities + flipped) / 2
        return probabilities.astype(np.float32)

    def predict(self, image: np.ndarray, tta: bool = False) -> np.ndarray:
        """uint8 (H, W) or (H, W, 3) -> (C,) class probabilities, or (H, W) float32 mask
        probabilities at the image's size ((K, H, W) for K > 2 mask classes)."""
        image = np.asarray(image)
        if self.kind == "classification":
            return self.predict_batch([image], tta=tta)[0]
        pixels = self.preprocess.to_channels(image)
        height, width = pixels.shape[:2]
        if self.preprocess.size is None and max(height, width) > self.tile_size:
            probabilities = self._tiled(pixels, tta)
        else:
            probabilities = self.probabilities(self.preprocess(pixels)[None], tta)[0]  # (K, h, w)
        return mask_output(resize_probabilities(probabilities, (height, width)))

    def predict_batch(self, images: list[np.ndarray], tta: bool = False) -> list[np.ndarray]:
        """Several images: classification runs them as one batch; masks go one by one."""
        if self.kind != "classification":
            return [self.predict(image, tta) for image in images]
        batch = self.preprocess.batch([np.asarray(image) for image in images])  # (N, C, H, W)
        return list(self.probabilities(batch, tta))

    def _tiled(self, pixels: np.ndarray, tta: bool) -> np.ndarray:
        """Overlapping tiles, each weighted by a ramp towards its edges, averaged."""
        height, width = pixels.shape[:2]
        normalise = replace(self.preprocess, size=None)
        tile, step = self.tile_size, self.tile_size - self.tile_overlap
        total, weight = None, np.zeros((height, width), np.float32)
        for top in tile_starts(height, tile, step):
            for left in tile_starts(width, tile, step):
                crop = pixels[top:top + tile, left:left + tile]
                probabilities = self.probabilities(normalise(crop)[None], tta)[0]  # (K, h, w)
                ramp = edge_ramp(crop.shape[:2], self.tile_overlap)
                if total is None:
                    total = np.zeros((probabilities.shape[0], height, width), np.float32)
                total[:, top:top + tile, left:left + tile] += probabilities * ramp
                weight[top:top + tile, left:left + tile] += ramp
        return total / np.maximum(weight, 1e-6)


def tile_starts(length: int, tile: int, step: int) -> list[int]:
    """Start offsets covering ``length`` with tiles of ``tile`` every ``step``, the last flush."""
    if length <= tile:
        return [0]
    starts = list(range(0, length - tile, step))
    return starts + [length - tile]


def edge_ramp(shape: tuple[int, int], overlap: int) -> np.ndarray:
    """1 in the middle, falling linearly to small values across ``overlap`` at each edge."""
    def axis(n: int) -> np.ndarray:
        distance = np.minimum(np.arange(n), np.arange(n)[::-1]) + 1
        return np.minimum(distance / max(overlap, 1), 1.0).astype(np.float32)
    return np.outer(axis(shape[0]), axis(shape[1]))
