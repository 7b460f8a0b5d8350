"""torchvision's segmentation models as U-Net alternatives, untrained.

``weights=None`` and ``weights_backbone=None``: nothing is ever downloaded.
The wrapper returns the logits tensor instead of torchvision's ``{"out": ...}``
dict, so every segmentation model has the same (N, num_classes, H, W) contract.
"""

from __future__ import annotations

from typing import Callable

from torch import nn


class SegmentationLogits(nn.Module):
    """Adapts a torchvision segmentation model: optional channel adapter, dict -> tensor."""

    def __init__(self, model: nn.Module, in_channels: int):
        super().__init__()
        # The backbones expect 3 channels; a learned 1x1 conv maps other inputs onto them.
        self.adapter = nn.Identity() if in_channels == 3 else nn.Conv2d(in_channels, 3, 1)
        self.model = model

    def forward(self, x):
        return self.model(self.adapter(x))["out"]  # (N, num_classes, H, W)


def _build(factory: Callable[..., nn.Module], num_classes: int, in_channels: int) -> SegmentationLogits:
    model = factory(weights=None, weights_backbone=None, num_classes=num_classes)
    return SegmentationLogits(model, in_channels)


def build_lraspp_mobilenet_v3(num_classes: int = 1, in_channels: int = 3) -> SegmentationLogits:
    from torchvision.models.segmentation import lraspp_mobilenet_v3_large

    return _build(lraspp_mobilenet_v3_large, num_classes, in_channels)


def build_deeplabv3_mobilenet_v3(num_classes: int = 1, in_channels: int = 3) -> SegmentationLogits:
    from torchvision.models.segmentation import deeplabv3_mobilenet_v3_large

    return _build(deeplabv3_mobilenet_v3_large, num_classes, in_channels)


def build_fcn_resnet50(num_classes: int = 1, in_channels: int = 3) -> SegmentationLogits:
    from torchvision.models.segmentation import fcn_resnet50

    return _build(fcn_resnet50, num_classes, in_channels)
