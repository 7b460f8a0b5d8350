"""Batch normalisation for conv maps (per channel) and dense features.

Training normalises with the batch's statistics and updates running averages
(torch's rule: momentum 0.1, unbiased variance in the running average); eval
uses the running averages. Learnable scale ``weight`` and shift ``bias``.
"""

from __future__ import annotations

import numpy as np

from core.numpy_cnn.layers import Layer


class _BatchNorm(Layer):
    axes: tuple[int, ...] = (0,)
    ndim = 2

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

    def forward(self, x, training=False):
        if x.ndim != self.ndim or x.shape[1] != self.num_features:
            raise ValueError(f"{self.name}: expected {self.ndim}-d input with "
                             f"{self.num_features} features, got shape {x.shape}")
        self.training = training
        if training:
            mean = x.mean(axis=self.axes)
            var = x.var(axis=self.axes)
            count = x.size // self.num_features
            self._update_running(mean, var, count)
        else:
            mean, var = self.buffers["running_mean"], self.buffers["running_var"]
        self.inv_std = self._per_feature(1.0 / np.sqrt(var + self.eps)).astype(x.dtype)
        self.xhat = (x - self._per_feature(mean)) * self.inv_std
        return self.xhat * self._per_feature(self.params["weight"]) + self._per_feature(self.params["bias"])

    def _update_running(self, mean: np.ndarray, var: np.ndarray, count: int) -> None:
        m = self.momentum
        unbiased = var * count / max(count - 1, 1)
        self.buffers["running_mean"] = ((1 - m) * self.buffers["running_mean"] + m * mean).astype(mean.dtype)
        self.buffers["running_var"] = ((1 - m) * self.buffers["running_var"] + m * unbiased).astype(var.dtype)

    def backward(self, dout):
        self.grads["bias"] = dout.sum(axis=self.axes)
        self.grads["weight"] = (dout * self.xhat).sum(axis=self.axes)
        scale = self._per_feature(self.params["weight"]) * self.inv_std
        if not self.training:  # running statistics are constants
            return dout * scale
        count = dout.size // self.num_features
        # d/dx of (x - mean(x)) / std(x): remove the mean of dout and its projection on xhat
        return scale / count * (count * dout - self._per_feature(self.grads["bias"])
                                - self.xhat * self._per_feature(self.grads["weight"]))


class BatchNorm2D(_BatchNorm):
    """Per-channel statistics over (N, H, W) of an (N, C, H, W) input."""

    kind = "BatchNorm2D"
    axes = (0, 2, 3)
    ndim = 4


class BatchNorm1D(_BatchNorm):
    """Per-feature statistics over the batch of an (N, F) input."""

    kind = "BatchNorm1D"
    axes = (0,)
    ndim = 2
