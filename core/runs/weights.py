"""Torch weight files of a run (``.pt``): atomic save, safe load, load into a model.

Here, below every engine, so inference, the NumPy engine (starting from a torch
twin's weights) and the torch trainer read ``.pt`` files one way without
importing each other. torch is imported only when a file is actually touched.

Run folders and weight files are shared, so loading never runs code: ``torch.load``
with ``weights_only=True`` accepts tensors, numbers, strings and plain containers
only, which is all this program writes (RNG states included, see
``core.training.checkpoint``). A file that needs more is refused, naming it.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from core.atomic import atomic_open
from core.errors import RunError


def save(path: str | Path, payload: dict[str, Any]) -> None:
    import torch

    with atomic_open(path, "wb") as handle:
        torch.save(payload, handle)


def load(path: str | Path) -> dict[str, Any]:
    """Read a .pt file of tensors and plain values; a RunError naming the file otherwise."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise RunError(path, "file is missing")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if "Unsupported global" not in str(error):   # not a pickle at all: a corrupt file
            raise RunError(path, "cannot read weights (corrupt, or not a weights file)") from None
        raise RunError(path, "refused: loading it could run code (a foreign checkpoint, or one "
                             "saved before loading was made safe); only tensors and plain values "
                             "are read") from None
    except Exception as error:  # noqa: BLE001 - any unreadable file is the user's problem
        raise RunError(path, f"cannot read weights ({type(error).__name__}: {error})") from None
    if not isinstance(payload, dict) or "state_dict" not in payload and "model" not in payload:
        raise RunError(path, "not a CNN-Lytical weights file")
    return payload


def state_dict(path: str | Path) -> dict[str, Any]:
    """The model weights inside model.pt/best.pt/init.pt ("state_dict") or checkpoint.pt ("model")."""
    payload = load(path)
    return payload.get("state_dict", payload.get("model"))


def load_state_into(model, state: dict[str, Any], path: str | Path) -> None:
    """``model.load_state_dict(state)``; a mismatch is one line naming ``path``."""
    try:
        unwrap(model).load_state_dict(state)
    except RuntimeError as error:
        first = str(error).strip().splitlines()
        raise RunError(path, "weights do not fit this model: "
                       + (first[1].strip() if len(first) > 1 else first[0])) from None


def unwrap(model):
    """The plain module inside DistributedDataParallel and/or torch.compile wrappers."""
    model = getattr(model, "_orig_mod", model)
    model = getattr(model, "module", model)
    return getattr(model, "_orig_mod", model)
