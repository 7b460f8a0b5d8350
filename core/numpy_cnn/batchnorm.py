"""Batch normalisation for conv maps (per channel) and dense features.

Training normalises with the batch's statistics and updates running averages
(torch's rule: momentum 0.1, unbiased variance in the running average); eval
uses the running averages. Learnable scale ``weight`` and shift ``bias``.
"""

from __future__ import annotations

import numpy as np

from core.numpy_cnn.layers import Layer


class _BatchNorm(Layer):
    ndim = 2
    subscripts = "nc"     # einsum letters of the input's axes; "c" is the feature axis

    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5,
                 dtype=np.float32, name: str | None = None):
        super().__init__(name)
        self.num_features, self.momentum, self.eps = int(num_features), float(momentum), float(eps)
        self.params = {"weight": np.ones(num_features, dtype), "bias": np.zeros(num_features, dtype)}
        self.buffers = {"running_mean": np.zeros(num_features, dtype),
                        "running_var": np.ones(num_features, dtype)}
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}

    def options(self):
        return {"num_features": self.num_features, "momentum": self.momentum, "eps": self.eps}

    def _per_feature(self, values: np.ndarray) -> np.ndarray:
        """(F,) -> broadcastable against the input: (1, F) or (1, F, 1, 1)."""
        shape = [1] * self.ndim
        shape[1] = -1
        return values.reshape(shape)

    def _sum(self, a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        """Per-feature sum of ``a`` (or of ``a * b``) in one pass, without temporaries."""
        spec = self.subscripts
        if b is None:
            return np.einsum(f"{spec}->c", a)
        return np.einsum(f"{spec},{spec}->c", a, b)

    def forward(self, x, training=False):
        if x.ndim != self.ndim or x.shape[1] != self.num_features:
            raise ValueError(f"{self.name}: expected {self.ndim}-d input with "
                             f"{self.num_features} features, got shape {x.shape}")
        self.training = training
        count = x.size // self.num_features
        if training:
            mean = self._sum(x) / count
            centred = x - self._per_feature(mean.astype(x.dtype))
            var = self._sum(centred, centred) / count
            self._update_running(mean, var, count)
        else:
            mean, var = self.buffers["running_mean"], self.buffers["running_var"]
            centred = x - self._per_feature(mean.astype(x.dtype))
        self.inv_std = self._per_feature(1.0 / np.sqrt(var + self.eps)).astype(x.dtype)
        self.xhat = np.multiply(centred, self.inv_std, out=centred)
        out = self.xhat * self._per_feature(self.params["weight"])
        out += self._per_feature(self.params["bias"])
        return out

    def _update_running(self, mean: np.ndarray, var: np.ndarray, count: int) -> None:
        m = self.momentum
        unbiased = var * count / max(count - 1, 1)
        self.buffers["running_mean"] = ((1 - m) * self.buffers["running_mean"] + m * mean).astype(mean.dtype)
        self.buffers["running_var"] = ((1 - m) * self.buffers["running_var"] + m * unbiased).astype(var.dtype)

    def backward(self, dout):
        self.grads["bias"] = self._sum(dout)
        self.grads["weight"] = self._sum(dout, self.xhat)
        scale = self._per_feature(self.params["weight"]) * self.inv_std
        if not self.training:  # running statistics are constants
            return dout * scale
        count = dout.size // self.num_features
        # d/dx of (x - mean(x)) / std(x): remove the mean of dout and its projection on xhat
        dx = self.xhat * self._per_feature(-self.grads["weight"] / count)
        dx += dout
        dx -= self._per_feature(self.grads["bias"] / count)
        dx *= scale
        return dx


class BatchNorm2D(_BatchNorm):
    """Per-channel statistics over (N, H, W) of an (N, C, H, W) input."""

    kind = "BatchNorm2D"
    ndim = 4
    subscripts = "nchw"


class BatchNorm1D(_BatchNorm):
    """Per-feature statistics over the batch of an (N, F) input."""

    kind = "BatchNorm1D"
    ndim = 2
    subscripts = "nc"
