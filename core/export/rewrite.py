"""An exact rewrite that leaves no float island in an int8 U-Net (opt-in: ``rewrite=True``).

A 2x2 stride-2 ConvTranspose (the U-Net's up-sampling) has no int8 kernel in
ONNX Runtime's CPU provider: in a QDQ graph it runs in float between a
Dequantize and a Quantize. The same operation is a 1x1 convolution to 4x the
channels followed by a pixel shuffle (ONNX DepthToSpace), which ONNX Runtime
runs as QLinearConv plus a uint8 copy; the weights are only rearranged, so the
output is the same up to rounding (the export check compares with the original).
Measured on our 2-core CPU the int8 model is no faster for it (DepthToSpace
needs layout transposes of its own) and the float32 one is ~8 % slower, so it
is off by default; it matters for integer-only runtimes and accelerators.
"""

from __future__ import annotations

import copy
from typing import Any


def is_pixel_shuffle_equivalent(module: Any) -> bool:
    """A ConvTranspose2d whose kernel equals its stride (no overlap), plain otherwise."""
    import torch.nn as nn

    return (isinstance(module, nn.ConvTranspose2d) and module.kernel_size == module.stride
            and module.kernel_size[0] == module.kernel_size[1] and module.padding == (0, 0)
            and module.output_padding == (0, 0) and module.dilation == (1, 1) and module.groups == 1)


def conv_transpose_as_pixel_shuffle(module: Any) -> Any:
    """ConvTranspose2d(in, out, k, stride=k) -> Sequential(Conv2d(in, out*k*k, 1), PixelShuffle(k))."""
    import torch
    import torch.nn as nn

    scale = module.kernel_size[0]
    in_channels, out_channels = module.in_channels, module.out_channels
    conv = nn.Conv2d(in_channels, out_channels * scale * scale, 1, bias=module.bias is not None)
    with torch.no_grad():
        # transposed weight (in, out, kh, kw) -> conv weight (out*kh*kw, in, 1, 1); PixelShuffle
        # reads channel o*k*k + a*k + b into output pixel (k*y + a, k*x + b) of channel o
        conv.weight.copy_(module.weight.permute(1, 2, 3, 0).reshape(-1, in_channels, 1, 1))
        if module.bias is not None:
            conv.bias.copy_(module.bias.repeat_interleave(scale * scale))
    return nn.Sequential(conv, nn.PixelShuffle(scale))


def int8_friendly(model: Any) -> tuple[Any, int]:
    """(a rewritten deep copy of ``model``, number of modules replaced); ``model`` is untouched."""
    rewritten = copy.deepcopy(model).eval()
    replaced = _replace(rewritten)
    return rewritten, replaced


def _replace(parent: Any) -> int:
    replaced = 0
    for name, child in parent.named_children():
        if is_pixel_shuffle_equivalent(child):
            setattr(parent, name, conv_transpose_as_pixel_shuffle(child))
            replaced += 1
        else:
            replaced += _replace(child)
    return replaced
