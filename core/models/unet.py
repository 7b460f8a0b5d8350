"""U-Net (Ronneberger et al. 2015): an encoder, a decoder, and skip connections.

The skip connections hand the decoder the encoder's full-resolution features,
so mask edges stay sharp although the bottleneck sees a 2^depth smaller image.
Any input size works: the input is zero-padded to a multiple of 2^depth and
the logits are cropped back, so the output is (N, num_classes, H, W).

``up_mode`` picks how the decoder doubles the resolution:
- "transpose" (default): a 2x2 stride-2 transposed conv. It is an ordinary
  learned conv, so int8 quantization treats it like every other conv
  (per-channel weights; ONNX Runtime quantizes ConvTranspose in QDQ format)
  and no interpolation op sits in the graph.
- "bilinear": bilinear upsample + 3x3 conv. Smooth, but the ONNX Resize op runs
  in float or with an extra quantize/dequantize around it on many int8 back ends.
- "nearest": nearest upsample + 3x3 conv. Resize-nearest is exact in int8
  (it only copies values), at the cost of blockier features before the conv.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

UP_MODES = ("transpose", "bilinear", "nearest")


class DoubleConv(nn.Sequential):
    """(conv3x3-BN-ReLU) x 2, optional dropout: (N, in, H, W) -> (N, out, H, W)."""

    def __init__(self, in_channels: int, out_channels: int, dropout: float = 0.0):
        layers = []
        for channels in (in_channels, out_channels):
            layers += [nn.Conv2d(channels, out_channels, 3, padding=1, bias=False),
                       nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True)]
        if dropout > 0:
            layers.append(nn.Dropout2d(dropout))
        super().__init__(*layers)


class Up(nn.Module):
    """Double the resolution, halve the channels, concatenate the skip, DoubleConv."""

    def __init__(self, in_channels: int, out_channels: int, up_mode: str, dropout: float):
        super().__init__()
        if up_mode == "transpose":
            self.upsample = nn.ConvTranspose2d(in_channels, out_channels, 2, stride=2)
        else:
            self.upsample = nn.Sequential(
                nn.Upsample(scale_factor=2, mode=up_mode,
                            **({"align_corners": False} if up_mode == "bilinear" else {})),
                nn.Conv2d(in_channels, out_channels, 3, padding=1))
        self.conv = DoubleConv(2 * out_channels, out_channels, dropout)

    def forward(self, x, skip_connection):
        x = self.upsample(x)                                      # (N, out, 2H, 2W)
        return self.conv(torch.cat([skip_connection, x], dim=1))  # (N, out, 2H, 2W)


class UNet(nn.Module):
    """(N, in_channels, H, W) -> (N, num_classes, H, W) logits, any H and W."""

    def __init__(self, in_channels: int = 3, num_classes: int = 1, depth: int = 4,
                 base_width: int = 16, up_mode: str = "transpose", dropout: float = 0.0):
        super().__init__()
        if up_mode not in UP_MODES:
            raise ValueError(f"unknown up_mode {up_mode!r}; choose one of {', '.join(UP_MODES)}")
        if depth < 1 or base_width < 1:
            raise ValueError(f"unet needs depth >= 1 and base_width >= 1; got {depth}, {base_width}")
        widths = [base_width * 2 ** level for level in range(depth + 1)]
        self.multiple = 2 ** depth
        self.stem = DoubleConv(in_channels, widths[0])
        self.down = nn.ModuleList(
            nn.Sequential(nn.MaxPool2d(2), DoubleConv(widths[level], widths[level + 1],
                                                      dropout if level == depth - 1 else 0.0))
            for level in range(depth))
        self.up = nn.ModuleList(Up(widths[level + 1], widths[level], up_mode, dropout if level == depth - 1 else 0.0)
                                for level in reversed(range(depth)))
        self.head = nn.Conv2d(widths[0], num_classes, 1)

    def forward(self, x):
        height, width = x.shape[-2:]
        pad_bottom = (self.multiple - height % self.multiple) % self.multiple
        pad_right = (self.multiple - width % self.multiple) % self.multiple
        x = F.pad(x, (0, pad_right, 0, pad_bottom))               # (N, C, H', W'), multiples of 2^depth
        skip_connections = [self.stem(x)]
        for down in self.down:
            skip_connections.append(down(skip_connections[-1]))
        x = skip_connections.pop()                                # bottleneck (N, C*2^depth, H'/2^d, W'/2^d)
        for up in self.up:
            x = up(x, skip_connections.pop())
        return self.head(x)[..., :height, :width]                 # (N, num_classes, H, W)


def build_unet(**options) -> UNet:
    return UNet(**options)
