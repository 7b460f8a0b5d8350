"""Save and load a model as one ``.npz``: architecture (JSON) + weights + BN statistics.

The file is a plain zip of ``.npy`` arrays, loaded with ``allow_pickle=False``
(no code runs on load). ``__architecture__`` holds the spec as a JSON string.
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

ARCHITECTURE_KEY = "__architecture__"
FORMAT_KEY = "__format__"
FORMAT = "cnn-lytical-numpy-v1"


def save_model(model: Sequential, path: str | Path) -> None:
    """Write atomically: readers (the GUI reloading every epoch) never see half a file."""
    buffer = io.BytesIO()
    arrays: dict[str, Any] = dict(model.state())
    arrays[ARCHITECTURE_KEY] = np.array(json.dumps(model.spec()))
    arrays[FORMAT_KEY] = np.array(FORMAT)
    np.savez(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def load_model(path: str | Path, dtype=np.float32) -> Sequential:
    """Rebuild the saved model; a corrupt or inconsistent file raises RunError naming it."""
    arrays = _read_arrays(path)
    if arrays.get(FORMAT_KEY) != FORMAT or ARCHITECTURE_KEY not in arrays:
        raise RunError(path, "not a CNN-Lytical NumPy model (no architecture inside)")
    try:
        spec = json.loads(str(arrays.pop(ARCHITECTURE_KEY)))
        model = Sequential.from_spec(spec, dtype=dtype)
    except (ValueError, TypeError, KeyError) as error:
        raise RunError(path, f"architecture cannot be rebuilt ({error})") from None
    load_weights(model, arrays, path)
    return model


def load_weights_into(model: Sequential, path: str | Path) -> None:
    """Copy a saved model's weights into ``model`` (same architecture required)."""
    load_weights(model, _read_arrays(path), path)


def load_weights(model: Sequential, arrays: dict[str, Any], path: str | Path) -> None:
    expected = model.state()
    missing = sorted(set(expected) - set(arrays))
    if missing:
        raise RunError(path, f"weights do not match the model: missing {', '.join(missing[:3])}")
    for key, value in expected.items():
        if arrays[key].shape != value.shape:
            raise RunError(path, f"weights do not match the model: {key} has shape "
                                 f"{arrays[key].shape}, expected {value.shape}")
        if not np.all(np.isfinite(arrays[key])):
            raise RunError(path, f"{key} contains NaN or infinite values")
    model.load_state({key: arrays[key].astype(value.dtype) for key, value in expected.items()})


def _read_arrays(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise RunError(path, "model file is missing")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise RunError(path, f"corrupt or unreadable model file ({type(error).__name__})") from None
    for key in (ARCHITECTURE_KEY, FORMAT_KEY):
        if key in arrays:
            arrays[key] = str(arrays[key])
    return arrays
