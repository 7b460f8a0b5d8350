"""Sequential model, built from a JSON-able architecture spec, and the named architectures.

A spec is ``{"input_shape": [C, H, W], "layers": [{"type": "Conv2D", ...}, ...]}``;
it is stored inside every saved ``.npz`` so a file rebuilds its own model.
"""

from __future__ import annotations

import copy
from typing import Any, Iterator

import numpy as np

from core.numpy_cnn.batchnorm import BatchNorm1D, BatchNorm2D
from core.numpy_cnn.conv import Conv2D, MaxPool2D
from core.numpy_cnn.initializers import default_for
from core.numpy_cnn.layers import Dense, Dropout, Flatten, Layer, LeakyReLU, ReLU, Sigmoid, Tanh

LAYER_TYPES: dict[str, type[Layer]] = {cls.kind: cls for cls in (
    Conv2D, MaxPool2D, BatchNorm2D, BatchNorm1D, Dense, Flatten, Dropout,
    ReLU, LeakyReLU, Tanh, Sigmoid)}
WEIGHTED = ("Conv2D", "Dense")
ACTIVATIONS = ("ReLU", "LeakyReLU", "Tanh", "Sigmoid")


def _lenet_numpy() -> dict[str, Any]:
    """LeNet-like with BatchNorm and dropout; the torch registry's "lenet" is its twin."""
    return {"input_shape": [1, 28, 28], "layers": [
        {"type": "Conv2D", "name": "conv1", "in_channels": 1, "out_channels": 16, "kernel_size": 3, "padding": 1},
        {"type": "BatchNorm2D", "name": "bn1", "num_features": 16},
        {"type": "ReLU", "name": "relu1"},
        {"type": "MaxPool2D", "name": "pool1", "kernel_size": 2},          # (16, 14, 14)
        {"type": "Conv2D", "name": "conv2", "in_channels": 16, "out_channels": 32, "kernel_size": 3, "padding": 1},
        {"type": "BatchNorm2D", "name": "bn2", "num_features": 32},
        {"type": "ReLU", "name": "relu2"},
        {"type": "MaxPool2D", "name": "pool2", "kernel_size": 2},          # (32, 7, 7)
        {"type": "Flatten", "name": "flatten"},                            # 1568
        {"type": "Dense", "name": "fc1", "in_features": 1568, "out_features": 128},
        {"type": "ReLU", "name": "relu3"},
        {"type": "Dropout", "name": "dropout", "p": 0.25},
        {"type": "Dense", "name": "fc2", "in_features": 128, "out_features": 10},
    ]}


def _lenet_fast_numpy() -> dict[str, Any]:
    """lenet_numpy reordered for speed: each max-pool comes straight after its conv, so
    BatchNorm and ReLU run on 4x fewer values; the convs have no bias (BN's shift is one).

    ReLU commutes with max-pooling; BatchNorm after the pool normalises the pooled
    maps instead (as airbench's blocks do). Same parameters less the conv biases."""
    spec = _lenet_numpy()
    layers = {layer["name"]: layer for layer in spec["layers"]}
    for conv in ("conv1", "conv2"):
        layers[conv]["bias"] = False
    order = ["conv1", "pool1", "bn1", "relu1", "conv2", "pool2", "bn2", "relu2"]
    spec["layers"] = [layers[name] for name in order] + spec["layers"][len(order):]
    return spec


def _textbook_numpy() -> dict[str, Any]:
    """The classic per-pixel-loop example's net (8 filters 3x3, pool 2, dense softmax)."""
    return {"input_shape": [1, 28, 28], "layers": [
        {"type": "Conv2D", "name": "conv1", "in_channels": 1, "out_channels": 8, "kernel_size": 3,
         "bias": False},                                                   # the textbook has none
        {"type": "ReLU", "name": "relu1"},
        {"type": "MaxPool2D", "name": "pool1", "kernel_size": 2},          # (8, 13, 13)
        {"type": "Flatten", "name": "flatten"},                            # 1352
        {"type": "Dense", "name": "fc", "in_features": 1352, "out_features": 10},
    ]}


ARCHITECTURES = {"lenet_numpy": _lenet_numpy, "lenet_fast_numpy": _lenet_fast_numpy,
                 "textbook_numpy": _textbook_numpy}


def list_models() -> list[str]:
    return sorted(ARCHITECTURES)


def architecture(name: str) -> dict[str, Any]:
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown numpy model {name!r}; choose one of {', '.join(list_models())}")
    return ARCHITECTURES[name]()


def build_model(name: str = "lenet_numpy", seed: int = 0, dtype=np.float32) -> "Sequential":
    return Sequential.from_spec(architecture(name), np.random.default_rng(seed), dtype)


class Sequential:
    """Layers applied in order; backward runs them in reverse."""

    def __init__(self, layers: list[Layer], input_shape: tuple[int, ...]):
        self.layers = layers
        self.input_shape = tuple(input_shape)

    @classmethod
    def from_spec(cls, spec: dict[str, Any], rng: np.random.Generator | None = None,
                  dtype=np.float32) -> "Sequential":
        """Build from a spec; Conv/Dense default to the initialiser of the next activation."""
        rng = rng or np.random.default_rng(0)
        entries = [dict(entry) for entry in spec["layers"]]
        layers = []
        for index, entry in enumerate(entries):
            kind = entry.pop("type")
            if kind not in LAYER_TYPES:
                raise ValueError(f"unknown layer type {kind!r}; known: {', '.join(sorted(LAYER_TYPES))}")
            entry.setdefault("name", f"{kind.lower()}{index}")
            if kind in WEIGHTED:
                entry.setdefault("init", default_for(_next_activation(entries, index)))
            if kind in WEIGHTED or kind.startswith("BatchNorm"):
                entry["dtype"] = dtype
            if kind in WEIGHTED or kind == "Dropout":
                entry["rng"] = rng
            layers.append(LAYER_TYPES[kind](**entry))
        return cls(layers, tuple(spec.get("input_shape", ())))

    def spec(self) -> dict[str, Any]:
        return {"input_shape": list(self.input_shape), "layers": [layer.spec() for layer in self.layers]}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    __call__ = forward

    def backward(self, dout: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Gradients of every layer; ``input_grad=False`` skips d(loss)/d(input) where the
        first layer can (training never needs it). Returns that gradient or None."""
        first, *rest = self.layers
        for layer in reversed(rest):
            dout = layer.backward(dout)
        if not input_grad and hasattr(first, "param_backward"):
            first.param_backward(dout)
            return None
        return first.backward(dout)

    def named_params(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """(layer.param name, parameter, its gradient) for every learnt array."""
        for layer in self.layers:
            for key in layer.params:
                yield f"{layer.name}.{key}", layer.params[key], layer.grads[key]

    def state(self) -> dict[str, np.ndarray]:
        """Every saved array (params and buffers) keyed ``layer.name``; copies."""
        return {f"{layer.name}.{key}": value.copy() for layer in self.layers
                for key, value in {**layer.params, **layer.buffers}.items()}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        """Copy arrays in place (optimisers hold references to the parameter arrays)."""
        for layer in self.layers:
            for store in (layer.params, layer.buffers):
                for key in store:
                    value = state[f"{layer.name}.{key}"]
                    if value.shape != store[key].shape:
                        raise ValueError(f"{layer.name}.{key}: shape {value.shape} != {store[key].shape}")
                    store[key][...] = value

    def astype(self, dtype) -> "Sequential":
        for layer in self.layers:
            layer.astype(dtype)
        return self

    def copy(self) -> "Sequential":
        return copy.deepcopy(self)

    @property
    def dtype(self) -> np.dtype:
        return next(param for _, param, _ in self.named_params()).dtype

    def num_params(self) -> int:
        return sum(param.size for _, param, _ in self.named_params())

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)


def _next_activation(entries: list[dict[str, Any]], index: int) -> str | None:
    """The activation that follows layer ``index`` before the next weighted layer."""
    for entry in entries[index + 1:]:
        if entry["type"] in ACTIVATIONS:
            return entry["type"]
        if entry["type"] in WEIGHTED:
            return None
    return None
