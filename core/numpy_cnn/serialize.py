"""Save and load a model as one ``.npz``: architecture (JSON) + weights + BN statistics.

The file is a plain zip of ``.npy`` arrays, loaded with ``allow_pickle=False``
(no code runs on load). ``__architecture__`` holds the spec as a JSON string.
Files are shared, so sizes are checked before anything is allocated: each
member's declared shape against its bytes, the whole against ``MAX_NPZ_BYTES``,
and the architecture's parameter count against the weights the file holds.
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
MAX_NPZ_BYTES = 1 << 30          # uncompressed arrays of one .npz (lenet_numpy: 0.2 MB)
ARCHITECTURE_SLACK = 1_000_000   # weights an architecture may declare beyond those its file holds


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
        held = sum(int(value.size) for value in arrays.values() if isinstance(value, np.ndarray))
        declared = declared_parameters(spec)
        if declared > 2 * held + ARCHITECTURE_SLACK:  # before allocating: weights must be in the file
            raise RunError(path, f"architecture declares {declared:,} weights but the file holds "
                                 f"{held:,}")
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
    arrays = read_npz(path)
    for key in (ARCHITECTURE_KEY, FORMAT_KEY):
        if key in arrays:
            arrays[key] = str(arrays[key])
    return arrays


def read_npz(path: str | Path, limit: int = MAX_NPZ_BYTES) -> dict[str, np.ndarray]:
    """Every array of an ``.npz``, never unpickling, sizes checked from the headers first."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                total += info.file_size
                with archive.open(info) as member:
                    _check_member(member, info, path)
            if total > limit:
                raise RunError(path, f"holds {total:,} bytes of arrays; the limit is {limit:,}")
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise RunError(path, f"corrupt or unreadable model file ({type(error).__name__})") from None


def _check_member(member, info: zipfile.ZipInfo, path: Path) -> None:
    """A member's .npy header must declare no more bytes than the member holds."""
    version = np.lib.format.read_magic(member)
    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                   else np.lib.format.read_array_header_2_0)
    shape, _, dtype = read_header(member)
    if dtype.hasobject:
        raise RunError(path, f"{info.filename} holds Python objects; only plain arrays are read")
    declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if declared > info.file_size:
        raise RunError(path, f"{info.filename} declares shape {shape} ({declared:,} bytes) but "
                             f"holds {info.file_size:,}")


def declared_parameters(spec: dict[str, Any]) -> int:
    """Weights an architecture spec would allocate (convolutions, dense layers, batch norms)."""
    total = 0
    for entry in spec.get("layers", []):
        size = {key: entry.get(key, 1) for key in ("in_channels", "out_channels", "kernel_size",
                                                   "in_features", "out_features", "num_features")}
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in size.values()):
            raise ValueError(f"layer sizes must be whole numbers: {entry}")
        if entry.get("type") == "Conv2D":
            total += size["in_channels"] * size["out_channels"] * size["kernel_size"] ** 2
        elif entry.get("type") == "Dense":
            total += size["in_features"] * size["out_features"]
        elif str(entry.get("type", "")).startswith("BatchNorm"):
            total += 4 * size["num_features"]
    return total
