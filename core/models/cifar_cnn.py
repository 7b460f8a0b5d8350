"""A small CIFAR-10 CNN: conv-BN-ReLU blocks, dropout and global average pooling.

Global pooling makes the head independent of the input size and keeps the
parameter count small (~0.3M with the defaults), so a few epochs run on a CPU.
"""

from __future__ import annotations

from torch import nn


def conv_bn_relu(in_channels: int, out_channels: int) -> list[nn.Module]:
    # BatchNorm before ReLU normalises the pre-activations, so the ReLU sees
    # zero-centred inputs; the conv needs no bias because BN's shift replaces it.
    return [nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True)]


def conv_block(in_channels: int, out_channels: int, dropout: float) -> nn.Sequential:
    """Two 3x3 conv-BN-ReLU, then 2x2 max-pool: (N, in, H, W) -> (N, out, H/2, W/2)."""
    layers = [*conv_bn_relu(in_channels, out_channels), *conv_bn_relu(out_channels, out_channels),
              nn.MaxPool2d(2)]
    if dropout > 0:
        layers.append(nn.Dropout2d(dropout))
    return nn.Sequential(*layers)


class CifarCNN(nn.Module):
    """(N, in_channels, H, W) -> (N, num_classes) logits; channels double per block."""

    def __init__(self, in_channels: int = 3, num_classes: int = 10, width: int = 32, depth: int = 3,
                 dropout: float = 0.3, block_dropout: float = 0.1):
        super().__init__()
        if width < 1 or depth < 1:
            raise ValueError(f"cifar_cnn needs width >= 1 and depth >= 1; got width={width}, depth={depth}")
        channels = [in_channels] + [width * 2 ** i for i in range(depth)]
        self.features = nn.Sequential(*(conv_block(channels[i], channels[i + 1], block_dropout)
                                        for i in range(depth)))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),  # (N, C)
                                  nn.Dropout(dropout), nn.Linear(channels[-1], num_classes))

    def forward(self, x):
        return self.head(self.features(x))


def build_cifar_cnn(**options) -> CifarCNN:
    return CifarCNN(**options)
