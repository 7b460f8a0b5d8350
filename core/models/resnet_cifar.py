"""A narrow ResNet-9 for CIFAR-10 (Page's DAWNBench net; airbench and hlb-CIFAR10 descend from it).

Each stage is conv-BN-ReLU then 2x2 max-pool, so the expensive convolutions
run at a quarter of the pixels of the stage before; two stages add a residual
pair of convs. The CPU recipe uses ``width=16`` (widths 16-32-64-128, 0.41M
parameters, ~24M multiply-adds per image): 85.8% (86.7% with flip averaging)
in 14 epochs on 2 cores (docs/recipes.md). The GPU recipe uses
``width=64``, Page's original size (94% in 24 epochs in DAWNBench).
The head is a global max-pool and a linear layer scaled by ``head_scale``
(0.125 in Page's net), which keeps the logits small early in training.
"""

from __future__ import annotations

from torch import nn


def conv_bn(in_channels: int, out_channels: int) -> nn.Sequential:
    """3x3 conv, BN, ReLU: (N, in, H, W) -> (N, out, H, W)."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class Residual(nn.Module):
    """x + two conv-BN-ReLU at the same width."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(conv_bn(channels, channels), conv_bn(channels, channels))

    def forward(self, x):
        return x + self.body(x)


def stage(in_channels: int, out_channels: int, residual: bool) -> nn.Sequential:
    """conv-BN-ReLU, 2x2 max-pool, optional residual pair: (N, in, H, W) -> (N, out, H/2, W/2)."""
    layers = [conv_bn(in_channels, out_channels), nn.MaxPool2d(2)]
    if residual:
        layers.append(Residual(out_channels))
    return nn.Sequential(*layers)


class ResNetCifar(nn.Module):
    """(N, in_channels, H, W) -> (N, num_classes) logits; widths w, 2w, 4w, 8w."""

    def __init__(self, in_channels: int = 3, num_classes: int = 10, width: int = 32,
                 head_scale: float = 0.125):
        super().__init__()
        if width < 1:
            raise ValueError(f"resnet_cifar needs width >= 1; got {width}")
        self.prep = conv_bn(in_channels, width)
        self.stages = nn.Sequential(stage(width, 2 * width, residual=True),       # (N, 2w, H/2, W/2)
                                    stage(2 * width, 4 * width, residual=False),  # (N, 4w, H/4, W/4)
                                    stage(4 * width, 8 * width, residual=True))   # (N, 8w, H/8, W/8)
        self.pool = nn.Sequential(nn.AdaptiveMaxPool2d(1), nn.Flatten())         # (N, 8w)
        self.linear = nn.Linear(8 * width, num_classes, bias=False)
        self.head_scale = float(head_scale)

    def forward(self, x):
        return self.linear(self.pool(self.stages(self.prep(x)))) * self.head_scale


def build_resnet_cifar(**options) -> ResNetCifar:
    return ResNetCifar(**options)
