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
        self.out_hw = self.output_hw(h, w)
        if min(self.out_hw) < 1:
            raise ValueError(f"{self.name}: a {h}x{w} input with padding {p} is "
                             f"smaller than the {self.kernel_size}x{self.kernel_size} kernel")
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else x   # (N, C, Hp, Wp)
        self.padded_shape = xp.shape
        self.cols = im2col(xp, self.kernel_size, self.stride, self.out_hw)  # (C*kh*kw, N*Ho*Wo)
        weight = self.params["weight"].reshape(self.out_channels, -1)       # (O, C*kh*kw)
        out = weight @ self.cols                                            # (O, N*Ho*Wo)
        if "bias" in self.params:
            out += self.params["bias"][:, None]
        out = out.reshape(self.out_channels, n, *self.out_hw)               # (O, N, Ho, Wo)
        return np.ascontiguousarray(out.transpose(1, 0, 2, 3))              # (N, O, Ho, Wo)

    def backward(self, dout):
        dout_rows = self.param_backward(dout)
        weight = self.params["weight"].reshape(self.out_channels, -1)          # (O, C*kh*kw)
        dcols = weight.T @ dout_rows                                            # (C*kh*kw, N*Ho*Wo)
        dxp = col2im(dcols, self.padded_shape, self.kernel_size, self.stride, self.out_hw)
        p = self.padding
        if p:
            dxp = dxp[:, :, p:dxp.shape[2] - p, p:dxp.shape[3] - p]
        return np.ascontiguousarray(dxp)                                        # (N, C, H, W)

    def param_backward(self, dout: np.ndarray) -> np.ndarray:
        """Fill ``grads`` only (enough for a first layer, whose input needs no gradient);
        returns dout as (O, N*Ho*Wo) rows for the input gradient."""
        dout_rows = dout.transpose(1, 0, 2, 3).reshape(self.out_channels, -1)  # (O, N*Ho*Wo) copy
        weight = self.params["weight"]
        # (cols @ rows.T).T: OpenBLAS runs this shape ~1.6x faster than rows @ cols.T
        self.grads["weight"] = (self.cols @ dout_rows.T).T.reshape(weight.shape)
        if "bias" in self.params:
            self.grads["bias"] = dout_rows.sum(axis=1)
        return dout_rows


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
        n, c, h, w = x.shape
        k = self.kernel_size
        ho, wo = h // k, w // k
        self.input_shape = x.shape
        # one copy puts each window position in its own contiguous slab: (k*k, N, C, Ho, Wo);
        # comparing contiguous slabs is several times faster than strided views
        windows = x[:, :, :ho * k, :wo * k].reshape(n, c, ho, k, wo, k)
        cells = windows.transpose(3, 5, 0, 1, 2, 4).reshape(k * k, n, c, ho, wo).copy()
        out = cells.max(axis=0)                                            # (N, C, Ho, Wo)
        # one-hot of the first arg-max per window: a cell wins if it equals the max
        # and no earlier cell did (boolean slabs, far cheaper than np.argmax on axis 0)
        self.winner = cells == out                                         # (k*k, N, C, Ho, Wo)
        taken = self.winner[0].copy()
        for index in range(1, k * k):
            self.winner[index] &= ~taken
            taken |= self.winner[index]
        return out

    def backward(self, dout):
        dx = np.zeros(self.input_shape, dtype=dout.dtype) if self._has_border() \
            else np.empty(self.input_shape, dtype=dout.dtype)
        for index, cell in enumerate(self._cells(dx)):
            np.multiply(dout, self.winner[index], out=cell)
        return dx

    def _has_border(self) -> bool:
        """True when odd rows/columns were dropped (their gradient must be zero)."""
        h, w = self.input_shape[2:]
        return h % self.kernel_size != 0 or w % self.kernel_size != 0
