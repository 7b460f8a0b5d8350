"""Each kind's default augmentation switches, readable without torch (a task picks
its key through ``core.tasks.TaskSpec.augmentation_kind``).

The Train panel shows these switches when the window opens; reading them from
``core.training.augment`` would import torch and torchvision (seconds) first.
Option meanings are in ``core.training.augment``.
"""

from __future__ import annotations

from typing import Any

DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "digits": {"hflip": False, "vflip": False, "crop": 0.85, "rotation": 10.0, "color_jitter": False},
    "classification": {"hflip": True, "vflip": False, "crop": 0.6, "rotation": False, "color_jitter": 0.2},
    "segmentation": {"hflip": True, "vflip": False, "crop": 0.5, "rotation": 10.0, "color_jitter": 0.2},
}


def augmentation_options(kind: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The kind's defaults overridden by ``options``; unknown kinds or keys raise ValueError."""
    if kind not in DEFAULT_OPTIONS:
        raise ValueError(f"unknown augmentation kind {kind!r}; choose one of "
                         f"{', '.join(DEFAULT_OPTIONS)}")
    unknown = sorted(set(options or {}) - set(DEFAULT_OPTIONS[kind]))
    if unknown:
        raise ValueError(f"unknown augmentation option {', '.join(unknown)}; "
                         f"choose from {', '.join(DEFAULT_OPTIONS[kind])}")
    return {**DEFAULT_OPTIONS[kind], **(options or {})}
