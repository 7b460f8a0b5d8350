"""Layer base class and the simple layers: activations, Dense, Flatten, Dropout.

Each layer's ``forward(x, training)`` caches what its ``backward(dout)`` needs;
``backward`` returns the gradient with respect to the input and fills
``self.grads`` (same keys and shapes as ``self.params``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.numpy_cnn.initializers import initialize


class Layer:
    """A differentiable step; subclasses set ``kind`` and override the passes."""

    kind = "Layer"

    def __init__(self, name: str | None = None):
        self.name = name or self.kind.lower()
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}  # saved state that is not learnt (BN stats)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def options(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this layer (saved as JSON)."""
        return {}

    def spec(self) -> dict[str, Any]:
        return {"type": self.kind, "name": self.name, **self.options()}

    def astype(self, dtype: np.dtype) -> "Layer":
        for store in (self.params, self.buffers):
            for key, value in store.items():
                store[key] = value.astype(dtype)
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}
        return self


class ReLU(Layer):
    kind = "ReLU"

    def forward(self, x, training=False):
        self.mask = x > 0
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


class LeakyReLU(Layer):
    kind = "LeakyReLU"

    def __init__(self, negative_slope: float = 0.01, name: str | None = None):
        super().__init__(name)
        self.negative_slope = float(negative_slope)

    def options(self):
        return {"negative_slope": self.negative_slope}

    def forward(self, x, training=False):
        self.slope = np.where(x > 0, 1.0, self.negative_slope).astype(x.dtype)
        return x * self.slope

    def backward(self, dout):
        return dout * self.slope


class Tanh(Layer):
    kind = "Tanh"

    def forward(self, x, training=False):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out ** 2)


class Sigmoid(Layer):
    kind = "Sigmoid"

    def forward(self, x, training=False):
        self.out = 0.5 * (1 + np.tanh(0.5 * x))  # stable for large |x|
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Flatten(Layer):
    """(N, C, H, W) -> (N, C*H*W) in C, H, W order, like ``torch.flatten(x, 1)``."""

    kind = "Flatten"

    def forward(self, x, training=False):
        self.input_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout.reshape(self.input_shape)


class Dense(Layer):
    """y = x W^T + b with W stored (out, in), exactly torch's ``nn.Linear`` layout."""

    kind = "Dense"

    def __init__(self, in_features: int, out_features: int, bias: bool = True, init: str = "he",
                 rng: np.random.Generator | None = None, dtype=np.float32, name: str | None = None):
        super().__init__(name)
        rng = rng or np.random.default_rng(0)
        self.in_features, self.out_features, self.init = int(in_features), int(out_features), init
        self.params["weight"] = initialize((self.out_features, self.in_features), init, rng, dtype)
        if bias:
            self.params["bias"] = np.zeros(self.out_features, dtype)
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}

    def options(self):
        return {"in_features": self.in_features, "out_features": self.out_features,
                "bias": "bias" in self.params, "init": self.init}

    def forward(self, x, training=False):
        self.x = x                                   # (N, in)
        out = x @ self.params["weight"].T            # (N, out)
        if "bias" in self.params:
            out += self.params["bias"]
        return out

    def backward(self, dout):
        self.grads["weight"] = dout.T @ self.x       # (out, in)
        if "bias" in self.params:
            self.grads["bias"] = dout.sum(axis=0)
        return dout @ self.params["weight"]          # (N, in)


class Dropout(Layer):
    """Inverted dropout: scale kept units by 1/(1-p) in training, identity in eval."""

    kind = "Dropout"

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None,
                 name: str | None = None):
        super().__init__(name)
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1); got {p}")
        self.p = float(p)
        self.rng = rng or np.random.default_rng(0)

    def options(self):
        return {"p": self.p}

    def forward(self, x, training=False):
        if not training or self.p == 0.0:
            self.scale = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self.scale = keep.astype(x.dtype) / (1.0 - self.p)
        return x * self.scale

    def backward(self, dout):
        return dout if self.scale is None else dout * self.scale
