"""Conv2D (im2col + one GEMM) and MaxPool2D (gradient to the arg-max only).

Shapes follow torch: input (N, C, H, W), conv weight (out, in, kh, kw), so
weights copy 1:1 to ``nn.Conv2d``. The im2col matrix is laid out
(C*kh*kw, N*Ho*Wo) so the forward, the weight gradient and the input gradient
are each a single large matrix product (one BLAS call, not N small ones).
"""

from __future__ import annotations

import numpy as np

from core.numpy_cnn.initializers import initialize
from core.numpy_cnn.layers import Layer


def im2col(x: np.ndarray, kernel: int, stride: int, out_hw: tuple[int, int]) -> np.ndarray:
    """Padded (N, C, Hp, Wp) -> (C*kh*kw, N*Ho*Wo): one row per weight, one column per output pixel.

    Filled by kh*kw strided slice copies (same values as ``sliding_window_view``,
    but every copy is contiguous along the width, which is what makes it fast).
    """
    n, c = x.shape[:2]
    ho, wo = out_hw
    cols = np.empty((c, kernel, kernel, n, ho, wo), dtype=x.dtype)   # (C, kh, kw, N, Ho, Wo)
    channels_first = x.transpose(1, 0, 2, 3)                          # (C, N, Hp, Wp) view
    for i in range(kernel):
        for j in range(kernel):
            cols[:, i, j] = channels_first[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride]
    return cols.reshape(c * kernel * kernel, n * ho * wo)


def col2im(cols: np.ndarray, padded_shape: tuple[int, ...], kernel: int, stride: int,
           out_hw: tuple[int, int]) -> np.ndarray:
    """Adjoint of im2col: (C*kh*kw, N*Ho*Wo) -> padded (N, C, Hp, Wp), summing overlaps.

    One strided slice-add per kernel offset (kh*kw of them) instead of ``np.add.at``.
    """
    n, c, hp, wp = padded_shape
    ho, wo = out_hw
    cols = cols.reshape(c, kernel, kernel, n, ho, wo)
    dx = np.zeros((c, n, hp, wp), dtype=cols.dtype)                   # (C, N, Hp, Wp)
    for i in range(kernel):
        for j in range(kernel):
            dx[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride] += cols[:, i, j]
    return dx.transpose(1, 0, 2, 3)                                   # (N, C, Hp, Wp) view


class Conv2D(Layer):
    kind = "Conv2D"

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1,
                 padding: int = 0, bias: bool = True, init: str = "he",
                 rng: np.random.Generator | None = None, dtype=np.float32, name: str | None = None):
        super().__init__(name)
        rng = rng or np.random.default_rng(0)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size, self.stride, self.padding = int(kernel_size), int(stride), int(padding)
        self.init = init
        shape = (self.out_channels, self.in_channels, self.kernel_size, self.kernel_size)
        self.params["weight"] = initialize(shape, init, rng, dtype)
        if bias:
            self.params["bias"] = np.zeros(self.out_channels, dtype)
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}

    def options(self):
        return {"in_channels": self.in_channels, "out_channels": self.out_channels,
                "kernel_size": self.kernel_size, "stride": self.stride, "padding": self.padding,
                "bias": "bias" in self.params, "init": self.init}

    def output_hw(self, h: int, w: int) -> tuple[int, int]:
        k, s, p = self.kernel_size, self.stride, self.padding
        return (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1

    def forward(self, x, training=False):
        n, c, h, w = x.shape
        if c != self.in_channels:
            raise ValueError(f"{self.name}: expected {self.in_channels} input channels, got {c}")
        p = self.padding
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else x   # (N, C, Hp, Wp)
        self.padded_shape = xp.shape
        self.out_hw = self.output_hw(h, w)
        self.cols = im2col(xp, self.kernel_size, self.stride, self.out_hw)  # (C*kh*kw, N*Ho*Wo)
        weight = self.params["weight"].reshape(self.out_channels, -1)       # (O, C*kh*kw)
        out = weight @ self.cols                                            # (O, N*Ho*Wo)
        if "bias" in self.params:
            out += self.params["bias"][:, None]
        out = out.reshape(self.out_channels, n, *self.out_hw)               # (O, N, Ho, Wo)
        return np.ascontiguousarray(out.transpose(1, 0, 2, 3))              # (N, O, Ho, Wo)

    def backward(self, dout):
        weight = self.params["weight"]
        dout_rows = dout.transpose(1, 0, 2, 3).reshape(self.out_channels, -1)  # (O, N*Ho*Wo) copy
        self.grads["weight"] = (dout_rows @ self.cols.T).reshape(weight.shape)
        if "bias" in self.params:
            self.grads["bias"] = dout_rows.sum(axis=1)
        dcols = weight.reshape(self.out_channels, -1).T @ dout_rows            # (C*kh*kw, N*Ho*Wo)
        dxp = col2im(dcols, self.padded_shape, self.kernel_size, self.stride, self.out_hw)
        p = self.padding
        if p:
            dxp = dxp[:, :, p:dxp.shape[2] - p, p:dxp.shape[3] - p]
        return np.ascontiguousarray(dxp)                                        # (N, C, H, W)


class MaxPool2D(Layer):
    """Non-overlapping max pooling (stride = kernel); odd borders are dropped like torch.

    Backward sends each output's gradient to the first arg-max of its window
    (torch's tie rule), not to every cell of the window.
    """

    kind = "MaxPool2D"

    def __init__(self, kernel_size: int = 2, name: str | None = None):
        super().__init__(name)
        self.kernel_size = int(kernel_size)

    def options(self):
        return {"kernel_size": self.kernel_size}

    def _cells(self, x: np.ndarray) -> list[np.ndarray]:
        """The k*k strided views of x, one per window position, each (N, C, Ho, Wo)."""
        k = self.kernel_size
        ho, wo = x.shape[2] // k, x.shape[3] // k
        return [x[:, :, i:ho * k:k, j:wo * k:k] for i in range(k) for j in range(k)]

    def forward(self, x, training=False):
        self.input_shape = x.shape
        cells = self._cells(x)
        out = cells[0].copy()
        for cell in cells[1:]:
            np.maximum(out, cell, out=out)
        # index of the first cell equal to the max; scanning backwards lets the first win
        self.argmax = np.zeros(out.shape, dtype=np.uint8)                 # (N, C, Ho, Wo)
        for index in range(len(cells) - 1, -1, -1):
            self.argmax[cells[index] == out] = index
        return out

    def backward(self, dout):
        dx = np.zeros(self.input_shape, dtype=dout.dtype)
        for index, cell in enumerate(self._cells(dx)):
            cell[...] = np.where(self.argmax == index, dout, 0)
        return dx
