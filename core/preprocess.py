"""Image -> model input, identical in training, inference and export.

Stored in a run's config.json under ``"preprocess"`` and in exported ONNX
metadata, so every consumer prepares pixels the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Preprocess:
    channels: int                         # 1 (grey) or 3 (RGB) the model expects
    size: tuple[int, int] | None          # (H, W) to resize to; None = keep the image's size
    mean: tuple[float, ...] = (0.0,)      # per channel, on the 0..1 scale
    std: tuple[float, ...] = (1.0,)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["size"] = None if self.size is None else list(self.size)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Preprocess":
        size = data.get("size")
        return cls(channels=int(data["channels"]), size=None if size is None else tuple(size),
                   mean=tuple(data.get("mean", (0.0,))), std=tuple(data.get("std", (1.0,))))

    def to_channels(self, image: np.ndarray) -> np.ndarray:
        """uint8 (H, W) or (H, W, 3) -> uint8 (H, W, channels), converting grey<->RGB."""
        if image.ndim == 2:
            image = image[:, :, None]
        if image.shape[2] == 4:
            image = image[:, :, :3]
        if image.shape[2] == self.channels:
            return image
        if self.channels == 1:  # ITU-R 601 luma, as cv2 and PIL do
            grey = image[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
            return np.clip(grey + 0.5, 0, 255).astype(np.uint8)[:, :, None]
        return np.repeat(image[:, :, :1], self.channels, axis=2)

    def resize(self, image: np.ndarray) -> np.ndarray:
        if self.size is None or image.shape[:2] == tuple(self.size):
            return image
        import cv2

        height, width = self.size
        shrinking = image.shape[0] > height or image.shape[1] > width
        resized = cv2.resize(image, (width, height),
                             interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
        return resized if resized.ndim == 3 else resized[:, :, None]

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """uint8 image -> float32 (channels, H, W), normalised."""
        pixels = self.resize(self.to_channels(np.asarray(image)))
        chw = pixels.transpose(2, 0, 1).astype(np.float32) / 255.0  # (C, H, W)
        mean = np.asarray(self.mean, np.float32).reshape(-1, 1, 1)
        std = np.asarray(self.std, np.float32).reshape(-1, 1, 1)
        return (chw - mean) / std

    def batch(self, images: list[np.ndarray]) -> np.ndarray:
        """A list of images -> float32 (N, C, H, W); they must share a size after resizing."""
        return np.stack([self(image) for image in images])
