"""Check a run's ``config.json`` before anything trusts it.

Run folders are shared, so a config may be tampered with or hand-edited: every
value that later sizes an allocation (class count, working size, preprocess) or
steers a loop (epochs) is checked here, and a bad one is one line naming the
file and the key. Keys an older run lacks are left to the code that reads them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from core.errors import RunError

MAX_CLASSES = 10_000     # class names / model outputs a run may declare (ImageNet-21k: 21,841 is out of scope)
MAX_SIDE = 16_384        # working side length in pixels a run may declare

POSITIVE_INTS = ("epochs", "batch_size")
OPTIONAL_COUNTS = ("demo_size", "limit", "early_stopping")


def check_run_config(record: Any, path: str | Path) -> dict[str, Any]:
    """``record`` when it is a usable run config; RunError naming ``path`` otherwise."""
    if not isinstance(record, dict):
        raise RunError(path, f"must be a JSON object, not {type(record).__name__}")
    for key in POSITIVE_INTS:
        if key in record and not _is_int(record[key], low=1):
            raise RunError(path, f"{key!r} must be a whole number >= 1, not {record[key]!r}")
    for key in OPTIONAL_COUNTS:
        if record.get(key) is not None and not _is_int(record[key], low=1):
            raise RunError(path, f"{key!r} must be null or a whole number >= 1, not {record[key]!r}")
    if record.get("image_size") is not None and not _is_int(record["image_size"], 0, MAX_SIDE):
        raise RunError(path, f"'image_size' must be null or 0..{MAX_SIDE}, not {record['image_size']!r}")
    if "class_names" in record:
        _check_class_names(record["class_names"], path)
    if "preprocess" in record:
        _check_preprocess(record["preprocess"], path)
    options = record.get("model_options", {})
    if not isinstance(options, dict):
        raise RunError(path, "'model_options' must be an object")
    for key in ("num_classes", "in_channels"):
        if key in options and not _is_int(options[key], 1, MAX_CLASSES):
            raise RunError(path, f"model_options {key!r} must be 1..{MAX_CLASSES}, not {options[key]!r}")
    return record


def _check_class_names(names: Any, path: str | Path) -> None:
    limit = MAX_CLASSES
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise RunError(path, "'class_names' must be a list of strings")
    if not 1 <= len(names) <= limit:
        raise RunError(path, f"'class_names' has {len(names)} names; expected 1..{limit}")
    if len(set(names)) != len(names):
        raise RunError(path, "'class_names' lists a name twice")


def _check_preprocess(data: Any, path: str | Path) -> None:
    if not isinstance(data, dict):
        raise RunError(path, "'preprocess' must be an object")
    channels = data.get("channels")
    if channels not in (1, 3) or isinstance(channels, bool):
        raise RunError(path, f"preprocess 'channels' must be 1 or 3, not {channels!r}")
    size = data.get("size")
    side = MAX_SIDE
    if size is not None and not (isinstance(size, list) and len(size) == 2
                                 and all(_is_int(v, 1, side) for v in size)):
        raise RunError(path, f"preprocess 'size' must be null or [height, width] in 1..{side}, not {size!r}")
    for key, nonzero in (("mean", False), ("std", True)):
        values = data.get(key, [1.0])
        if not (isinstance(values, list) and len(values) in (1, channels)
                and all(_is_finite(v) and (v != 0 or not nonzero) for v in values)):
            raise RunError(path, f"preprocess {key!r} must be {channels} finite number(s)"
                                 + (", none zero" if nonzero else "") + f", not {values!r}")


def _is_int(value: Any, low: int, high: int | None = None) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value >= low
            and (high is None or value <= high))


def _is_finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
