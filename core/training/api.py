"""One entry point for training, whatever the engine: ``train(config, ...)``.

The CLI, the GUI worker and torchrun all call this; it picks the engine.
"""

from __future__ import annotations

from typing import Any

from core.runs.config import TrainConfig
from core.runs.events import CancelToken, EventCallback, ignore_event


def train(config: TrainConfig, on_event: EventCallback = ignore_event,
          cancel: CancelToken | None = None) -> dict[str, Any]:
    """Train a model; returns the run's summary (also written to summary.json)."""
    cancel = cancel or CancelToken()
    if config.engine == "numpy":
        from core.numpy_cnn.trainer import train_numpy
        return train_numpy(config, on_event, cancel)
    from core.training.trainer import train_torch
    return train_torch(config, on_event, cancel)
