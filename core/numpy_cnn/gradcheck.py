"""Gradient checking by central differences: the proof that each backward is right.

Use float64 models and inputs: in float32 the finite differences themselves
are too noisy to confirm a relative error below 1e-6.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from core.numpy_cnn.layers import Layer
from core.numpy_cnn.losses import softmax_cross_entropy
from core.numpy_cnn.model import Sequential

NEGLIGIBLE = 1e-7  # gradient norm below which both sides count as "no dependence" (FD noise floor)


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / (||a|| + ||n||); 0 when both are negligible (e.g. a conv bias before BN)."""
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if scale < NEGLIGIBLE:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / scale)


def numeric_gradient(loss: Callable[[], float], array: np.ndarray, indices: np.ndarray,
                     step: float = 1e-6) -> np.ndarray:
    """d loss / d array at the given flat indices, perturbing ``array`` in place."""
    flat = array.reshape(-1)
    grads = np.zeros(len(indices))
    for out, index in enumerate(indices):
        original = flat[index]
        flat[index] = original + step
        plus = loss()
        flat[index] = original - step
        minus = loss()
        flat[index] = original
        grads[out] = (plus - minus) / (2 * step)
    return grads


def _sample(size: int, count: int | None, rng: np.random.Generator) -> np.ndarray:
    if count is None or count >= size:
        return np.arange(size)
    return rng.choice(size, count, replace=False)


def _frozen_rng(objects: list) -> Callable[[], None]:
    """Restore every dropout generator before each pass so all passes use one mask."""
    states = [(obj, obj.rng.bit_generator.state) for obj in objects if hasattr(obj, "rng")]

    def restore() -> None:
        for obj, state in states:
            obj.rng.bit_generator.state = state
    return restore


def check_layer(layer: Layer, x: np.ndarray, training: bool = True, per_array: int | None = 40,
                seed: int = 12345) -> dict[str, float]:
    """Relative error of ``layer``'s input and parameter gradients for loss = sum(out * R)."""
    rng = np.random.default_rng(seed)
    restore = _frozen_rng([layer])
    restore()
    out = layer.forward(x, training)
    weights = rng.standard_normal(out.shape)

    def loss() -> float:
        restore()
        return float((layer.forward(x, training) * weights).sum())

    restore()
    layer.forward(x, training)
    dx = layer.backward(weights.astype(x.dtype))
    analytic = {"input": (dx, x), **{k: (layer.grads[k].copy(), layer.params[k]) for k in layer.params}}
    return _compare(analytic, loss, per_array, rng)


def check_model(model: Sequential, x: np.ndarray, labels: np.ndarray, training: bool = True,
                per_array: int | None = 30, seed: int = 12345) -> dict[str, float]:
    """Relative error of every parameter's gradient (and the input's) for the CE loss."""
    rng = np.random.default_rng(seed)
    restore = _frozen_rng(model.layers)

    def loss() -> float:
        restore()
        return softmax_cross_entropy(model.forward(x, training), labels)[0]

    restore()
    _, dlogits = softmax_cross_entropy(model.forward(x, training), labels)
    dx = model.backward(dlogits)
    analytic = {"input": (dx, x)}
    analytic.update({name: (grad.copy(), param) for name, param, grad in model.named_params()})
    return _compare(analytic, loss, per_array, rng)


def _compare(analytic: dict, loss: Callable[[], float], per_array: int | None,
             rng: np.random.Generator) -> dict[str, float]:
    errors = {}
    for name, (grad, array) in analytic.items():
        indices = _sample(array.size, per_array, rng)
        numeric = numeric_gradient(loss, array, indices)
        errors[name] = relative_error(grad.reshape(-1)[indices], numeric)
    return errors
