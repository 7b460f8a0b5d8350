"""``to_torch(model)``: the same network as a torch ``nn.Sequential``, weights copied.

Used to prove the NumPy gradients against autograd, to export NumPy runs
to ONNX, and to start either engine from the other's weights (``init_from``).
Layouts already match torch (NCHW, conv (out, in, kh, kw), dense (out, in),
flatten in C, H, W order), so every array copies as is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.numpy_cnn.layers import Layer
from core.numpy_cnn.model import Sequential


def _module_for(layer: Layer) -> Any:
    import torch.nn as nn

    o = layer.options()
    builders = {
        "Conv2D": lambda: nn.Conv2d(o["in_channels"], o["out_channels"], o["kernel_size"],
                                    stride=o["stride"], padding=o["padding"], bias=o["bias"]),
        "Dense": lambda: nn.Linear(o["in_features"], o["out_features"], bias=o["bias"]),
        "BatchNorm2D": lambda: nn.BatchNorm2d(o["num_features"], eps=o["eps"], momentum=o["momentum"]),
        "BatchNorm1D": lambda: nn.BatchNorm1d(o["num_features"], eps=o["eps"], momentum=o["momentum"]),
        "MaxPool2D": lambda: nn.MaxPool2d(o["kernel_size"]),
        "ReLU": nn.ReLU,
        "LeakyReLU": lambda: nn.LeakyReLU(o["negative_slope"]),
        "Tanh": nn.Tanh,
        "Sigmoid": nn.Sigmoid,
        "Flatten": nn.Flatten,
        "Dropout": lambda: nn.Dropout(o["p"]),
    }
    if layer.kind not in builders:
        raise ValueError(f"no torch equivalent for layer type {layer.kind}")
    return builders[layer.kind]()


def to_torch(model: Sequential, dtype: Any = None) -> Any:
    """A torch ``nn.Sequential`` equal to ``model``, in eval mode.

    Modules are indexed like the layers (state_dict keys ``0.weight``,
    ``1.running_mean``...), the same keys as the registry's torch ``lenet``.

    ``dtype`` defaults to the model's own float dtype.
    """
    import torch
    import torch.nn as nn

    twin = nn.Sequential(*(_module_for(layer) for layer in model.layers))
    torch_dtype = dtype or (torch.float64 if model.dtype == np.float64 else torch.float32)
    twin = twin.to(torch_dtype)
    with torch.no_grad():
        for layer, module in zip(model.layers, twin):
            for key, value in {**layer.params, **layer.buffers}.items():
                getattr(module, key).copy_(torch.from_numpy(np.ascontiguousarray(value)))
    return twin.eval()


def from_torch(model: Sequential, twin: Any) -> None:
    """Copy the twin's weights and BN statistics back into ``model`` (in place)."""
    for layer, module in zip(model.layers, twin):
        for store in (layer.params, layer.buffers):
            for key in store:
                store[key][...] = getattr(module, key).detach().cpu().numpy()


def load_torch_state(model: Sequential, state_dict: dict[str, Any], source: Any = "torch weights") -> None:
    """Load a torch ``lenet`` state_dict (model.pt/init.pt) into the NumPy ``model``, in place.

    The twin of ``model`` takes the state_dict strictly, so a different
    architecture is a RunError naming ``source`` rather than silent garbage.
    """
    from core.errors import RunError

    twin = to_torch(model)
    try:
        twin.load_state_dict(state_dict)
    except RuntimeError as error:
        lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
        raise RunError(source, "weights do not fit the numpy model (different architecture): "
                       + (lines[1] if len(lines) > 1 else lines[0])) from None
    from_torch(model, twin)


def torch_state_from_numpy_file(path: Any) -> dict[str, Any]:
    """A NumPy ``.npz`` model file as the state_dict of its torch twin (keys ``0.weight``...)."""
    from core.numpy_cnn.serialize import load_model

    return to_torch(load_model(path)).state_dict()
