"""Training augmentation with torchvision.transforms.v2, applied jointly to image and mask.

The mask is wrapped as ``tv_tensors.Mask``, so every geometric transform moves
it exactly like the image (nearest-neighbour, never blurred) and colour jitter
leaves it alone. Validation uses ``train=False``: no randomness at all.

Options (``TrainConfig.augment_options``), each on/off or a strength:
  hflip, vflip   bool: flip with probability 0.5
  crop           bool or float: random resized crop; a float is the smallest area fraction kept
  rotation       bool or float: random rotation; a float is the largest angle in degrees
  color_jitter   bool or float: brightness/contrast/saturation jitter of this strength
Defaults depend on the kind: digits are never flipped (a mirrored 2 is not a 2),
and masks are not flipped upside down (cars stand on their wheels).
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torchvision import tv_tensors
from torchvision.transforms import InterpolationMode, v2
from torchvision.transforms.v2 import functional as F

from core.training.augment_options import augmentation_options

STRENGTH_WHEN_TRUE = {"crop": 0.6, "rotation": 10.0, "color_jitter": 0.2}


def _strength(value: Any, name: str) -> float:
    if value is True:
        return STRENGTH_WHEN_TRUE[name]
    return float(value or 0.0)


def _resize_mask(mask, size):
    return F.resize(mask, size, interpolation=InterpolationMode.NEAREST_EXACT)


# torchvision resizes masks with legacy "nearest" (floor of the scaled index), which
# shifts them up to half a pixel against the bilinear image; nearest-exact samples
# pixel centres as bilinear does, so the mask stays on the image.
class AlignedResize(v2.Resize):
    """v2.Resize whose masks are resized with nearest-exact."""

    def transform(self, inpt, params):
        if isinstance(inpt, tv_tensors.Mask):
            return _resize_mask(inpt, self.size)
        return super().transform(inpt, params)


class AlignedRandomResizedCrop(v2.RandomResizedCrop):
    """v2.RandomResizedCrop whose masks are resized with nearest-exact."""

    def transform(self, inpt, params):
        if isinstance(inpt, tv_tensors.Mask):
            return _resize_mask(F.crop(inpt, **params), self.size)
        return super().transform(inpt, params)


def _random_transforms(size: tuple[int, int], options: dict[str, Any]) -> list:
    transforms = []
    if options["hflip"]:
        transforms.append(v2.RandomHorizontalFlip())
    if options["vflip"]:
        transforms.append(v2.RandomVerticalFlip())
    if rotation := _strength(options["rotation"], "rotation"):
        transforms.append(v2.RandomRotation(rotation, interpolation=InterpolationMode.BILINEAR))
    if min_area := _strength(options["crop"], "crop"):
        transforms.append(AlignedRandomResizedCrop(size, scale=(min_area, 1.0), antialias=True))
    else:
        transforms.append(AlignedResize(size, antialias=True))
    if jitter := _strength(options["color_jitter"], "color_jitter"):
        transforms.append(v2.ColorJitter(brightness=jitter, contrast=jitter, saturation=jitter))
    return transforms


class JointAugmentation:
    """``(image (C, H, W) tensor, target) -> (image, target)``; target is a class label
    (passed through) or a mask tensor (H, W) / (1, H, W) transformed with the image.

    Give uint8 images (or float in 0..1): colour jitter assumes that range."""

    def __init__(self, size: tuple[int, int] | None, options: dict[str, Any], train: bool):
        self.size, self.options, self.train = size, options, train
        self._pipelines: dict[tuple, Callable] = {}  # (output size, input size) -> pipeline

    def _pipeline(self, image_size: tuple[int, int]) -> Callable:
        size = self.size or image_size  # None: keep each image's own size
        if (size, image_size) not in self._pipelines:
            transforms = (_random_transforms(size, self.options) if self.train
                          else [AlignedResize(size, antialias=True)] if size != image_size
                          else [v2.Identity()])
            self._pipelines[size, image_size] = v2.Compose(transforms)
        return self._pipelines[size, image_size]

    def __call__(self, image, target):
        pipeline = self._pipeline(tuple(image.shape[-2:]))
        image = tv_tensors.Image(image)
        if not (isinstance(target, torch.Tensor) and target.dim() >= 2):
            return pipeline(image).as_subclass(torch.Tensor), target
        out_image, out_mask = pipeline(image, tv_tensors.Mask(target))
        return out_image.as_subclass(torch.Tensor), out_mask.as_subclass(torch.Tensor)


def build_augmentation(kind: str, size: int | tuple[int, int] | None = None,
                       options: dict[str, Any] | None = None, train: bool = True) -> JointAugmentation:
    """The augmentation for ``kind`` ("digits" | "classification" | "segmentation"; see
    ``TaskSpec.augmentation_kind``), producing images of ``size`` (int or (H, W); None = unchanged).
    ``train=False`` gives the deterministic validation path (resize only)."""
    merged = augmentation_options(kind, options)
    if isinstance(size, int):
        size = (size, size)
    return JointAugmentation(None if size is None else tuple(size), merged, train)
