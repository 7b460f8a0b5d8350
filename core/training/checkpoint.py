"""Weights and full checkpoints in a run directory, plus the RNG states that make
``--resume`` continue exactly where a run stopped.

    model.pt       {"state_dict", "meta"}   latest weights, rewritten every epoch
    init.pt        same, the weights the run started from (fresh runs only)
    best.pt        same, for the best validation epoch
    checkpoint.pt  model + optimiser + schedule + epoch + RNG states + best metric

Files are written atomically (temporary file then rename): the GUI may reload
model.pt while the trainer writes the next one.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import RunError
from core.runs import weights



def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (all devices) so one seed gives one curve."""
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def rng_state() -> dict[str, Any]:
    """Every generator's state as tensors, numbers and lists (loadable with weights_only)."""
    import torch

    kind, keys, position, has_gauss, gauss = np.random.get_state()
    state = {"python": list(random.getstate()),
             "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), int(position), int(has_gauss),
                       float(gauss)],
             "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    import torch

    version, internal, gauss_next = state["python"]
    random.setstate((version, tuple(internal), gauss_next))
    kind, keys, position, has_gauss, gauss = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), position, has_gauss, gauss))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def cpu_state_dict(model) -> dict[str, Any]:
    """The model's weights as CPU tensors (unwrapping DDP and torch.compile)."""
    model = weights.unwrap(model)
    return {name: tensor.detach().cpu().clone() for name, tensor in model.state_dict().items()}


def save_weights(path: str | Path, model, meta: dict[str, Any]) -> None:
    weights.save(path, {"state_dict": cpu_state_dict(model), "meta": meta})


def load_weights_into(model, path: str | Path) -> None:
    """Load model.pt/best.pt/checkpoint.pt weights into ``model``; mismatches name the file.

    A NumPy engine ``.npz`` (e.g. a numpy run's init.npz) goes through its torch
    twin, so the torch ``lenet`` can start from exactly the NumPy net's weights.
    """
    if Path(path).suffix == ".npz":
        from core.numpy_cnn.torch_twin import torch_state_from_numpy_file

        state = torch_state_from_numpy_file(path)
        try:
            weights.unwrap(model).load_state_dict(state)
        except RuntimeError:
            raise RunError(path, "NumPy engine weights do not fit this torch model (different "
                                 "architecture; the torch twin of lenet_numpy is lenet)") from None
        return
    weights.load_state_into(model, weights.state_dict(path), path)
