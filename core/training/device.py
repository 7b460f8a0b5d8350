"""Where a run computes, and the CUDA-only speed-ups (autocast, channels_last).

``auto`` prefers CUDA, then Apple's MPS, then the CPU; a named device is used
as asked, with a clear error when it is not there.
"""

from __future__ import annotations

import contextlib
from typing import ContextManager

from core.errors import TrainingError

DEVICES = ("auto", "cpu", "cuda", "mps")


def pick_device(name: str = "auto", local_rank: int | None = None):
    """``name`` (auto|cpu|cuda|cuda:N|mps) -> torch.device; DDP ranks take their own GPU."""
    import torch

    name = (name or "auto").lower()
    if name == "auto":
        if torch.cuda.is_available():
            name = "cuda"
        elif _mps_available():
            name = "mps"
        else:
            name = "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise TrainingError("device 'cuda' was asked for but no CUDA GPU is available")
        if name == "cuda" and local_rank is not None:
            name = f"cuda:{local_rank}"
        device = torch.device(name)
        if device.index is not None:
            torch.cuda.set_device(device)
        return device
    if name == "mps" and not _mps_available():
        raise TrainingError("device 'mps' was asked for but Apple MPS is not available")
    if name not in ("cpu", "mps"):
        raise TrainingError(f"unknown device {name!r}; choose one of {', '.join(DEVICES)}")
    return torch.device(name)


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def autocast_dtype(device, enabled: bool):
    """bf16 where the GPU supports it, else fp16; None off CUDA or when disabled."""
    import torch

    if not enabled or device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def autocast(device, dtype) -> ContextManager:
    """The autocast context for a forward pass (a no-op without a dtype)."""
    import torch

    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def memory_format(device, channels_last: bool):
    """channels_last (NHWC) when asked, on CUDA and on CPU alike.

    On CUDA it feeds the tensor cores; on CPU oneDNN's NHWC convolutions are
    faster too: a training step ran 1.39x faster for ``resnet_cifar`` width 16,
    1.36x for ``lenet`` and 1.32x for the U-Net at 160x240 (2-core Xeon,
    ``bench/memory_format.py``, docs/recipes.md). Other devices (MPS) keep the default layout.
    """
    import torch

    if channels_last and device.type in ("cuda", "cpu"):
        return torch.channels_last
    return torch.contiguous_format


def describe(device) -> str:
    """A human name for the device, for summaries and the GUI."""
    import torch

    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    return str(device)
