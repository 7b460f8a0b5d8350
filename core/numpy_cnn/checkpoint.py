"""checkpoint.npz: everything needed to continue a NumPy run exactly where it stopped.

Model weights and BN statistics, the optimiser's per-parameter state, and a
JSON record of the trainer (epoch, step, best accuracy, schedule, random
generator states). Like model.npz it is plain arrays, loaded without pickle.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from core.atomic import atomic_write_bytes
from core.errors import RunError
from core.numpy_cnn.model import Sequential
from core.numpy_cnn.optim import Optimizer
from core.numpy_cnn.serialize import read_npz

STATE_KEY = "__trainer__"


def generators(model: Sequential, data_rng: np.random.Generator) -> list[np.random.Generator]:
    """The generators a run draws from: shuffling/shifts, then each dropout layer's."""
    return [data_rng] + [layer.rng for layer in model.layers if hasattr(layer, "rng")]


def save_checkpoint(path: str | Path, model: Sequential, optimizer: Optimizer,
                    record: dict[str, Any], rngs: list[np.random.Generator]) -> None:
    record = {**record, "rng_states": [rng.bit_generator.state for rng in rngs]}
    arrays = {f"model/{key}": value for key, value in model.state().items()}
    arrays.update({f"optim/{key}": value for key, value in optimizer.state().items()})
    arrays[STATE_KEY] = np.array(json.dumps(record))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path: str | Path, model: Sequential, optimizer: Optimizer,
                    rngs: list[np.random.Generator]) -> dict[str, Any]:
    """Restore model, optimiser and generators in place; returns the trainer record."""
    path = Path(path)
    if not path.is_file():
        raise RunError(path, "no checkpoint to resume from")
    try:
        arrays = read_npz(path)
        record = json.loads(str(arrays[STATE_KEY]))
        model.load_state({key[6:]: value for key, value in arrays.items() if key.startswith("model/")})
        optimizer.load_state({key[6:]: value for key, value in arrays.items() if key.startswith("optim/")})
        for rng, state in zip(rngs, record["rng_states"]):
            rng.bit_generator.state = state
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise RunError(path, f"cannot resume from this checkpoint ({type(error).__name__}: "
                             f"{str(error).splitlines()[0] if str(error) else ''})") from None
    return record
