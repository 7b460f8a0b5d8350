"""Weight initialisers: He for ReLU nets, Xavier/Glorot for tanh/sigmoid/linear.

He keeps the variance of activations constant through ReLUs (which zero half
their inputs); Xavier balances fan-in and fan-out for symmetric activations.
"""

from __future__ import annotations

import numpy as np

INITIALIZERS = ("he", "xavier")
RELU_LIKE = ("ReLU", "LeakyReLU")


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a dense (out, in) or conv (out, in, kh, kw) weight."""
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def initialize(shape: tuple[int, ...], method: str, rng: np.random.Generator,
               dtype: np.dtype = np.float32) -> np.ndarray:
    """A weight of ``shape`` drawn by ``method`` ("he" normal or "xavier" uniform)."""
    fan_in, fan_out = fans(shape)
    if method == "he":
        weight = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
    elif method == "xavier":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weight = rng.uniform(-limit, limit, size=shape)
    else:
        raise ValueError(f"unknown initialiser {method!r}; choose one of {', '.join(INITIALIZERS)}")
    return weight.astype(dtype)


def default_for(activation: str | None) -> str:
    """The initialiser that suits the activation following a layer."""
    return "he" if activation in RELU_LIKE else "xavier"
