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

from core.atomic import atomic_open
from core.errors import RunError

MODEL = "model.pt"
INIT = "init.pt"
BEST = "best.pt"
CHECKPOINT = "checkpoint.pt"


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (all devices) so one seed gives one curve."""
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def rng_state() -> dict[str, Any]:
    import torch

    state = {"python": random.getstate(), "numpy": np.random.get_state(),
             "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    import torch

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def cpu_state_dict(model) -> dict[str, Any]:
    """The model's weights as CPU tensors (unwrapping DDP and torch.compile)."""
    model = unwrap(model)
    return {name: tensor.detach().cpu().clone() for name, tensor in model.state_dict().items()}


def unwrap(model):
    """The plain module inside DistributedDataParallel and/or torch.compile wrappers."""
    model = getattr(model, "_orig_mod", model)
    model = getattr(model, "module", model)
    return getattr(model, "_orig_mod", model)


def save(path: str | Path, payload: dict[str, Any]) -> None:
    import torch

    with atomic_open(path, "wb") as handle:
        torch.save(payload, handle)


def save_weights(path: str | Path, model, meta: dict[str, Any]) -> None:
    save(path, {"state_dict": cpu_state_dict(model), "meta": meta})


def load(path: str | Path) -> dict[str, Any]:
    """Read a .pt file written by this module; a RunError naming the file otherwise."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise RunError(path, "file is missing")
    try:
        # Checkpoints hold NumPy RNG state and plain dicts, so full unpickling is
        # needed; only files this program wrote are read.
        payload = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the user's problem
        raise RunError(path, f"cannot read weights ({type(error).__name__}: {error})") from None
    if not isinstance(payload, dict) or "state_dict" not in payload and "model" not in payload:
        raise RunError(path, "not a CNN-Lytical weights file")
    return payload


def load_weights_into(model, path: str | Path) -> None:
    """Load model.pt/best.pt/checkpoint.pt weights into ``model``; mismatches name the file.

    A NumPy engine ``.npz`` (e.g. a numpy run's init.npz) goes through its torch
    twin, so the torch ``lenet`` can start from exactly the NumPy net's weights.
    """
    if Path(path).suffix == ".npz":
        from core.numpy_cnn.torch_twin import torch_state_from_numpy_file

        state = torch_state_from_numpy_file(path)
    else:
        payload = load(path)
        state = payload.get("state_dict", payload.get("model"))
    try:
        unwrap(model).load_state_dict(state)
    except RuntimeError as error:
        if Path(path).suffix == ".npz":
            raise RunError(path, "NumPy engine weights do not fit this torch model (different "
                                 "architecture; the torch twin of lenet_numpy is lenet)") from None
        first = str(error).strip().splitlines()
        raise RunError(path, "weights do not fit this model: "
                       + (first[1].strip() if len(first) > 1 else first[0])) from None
