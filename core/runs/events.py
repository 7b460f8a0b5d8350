"""The handful of events every engine emits, as plain data.

The CLI prints them, the GUI turns them into Qt signals in its worker thread,
tests collect them. Values are plain Python (floats, lists, numpy copies):
never tensors, never the model, so they can cross threads safely.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Union

import numpy as np


@dataclass(frozen=True)
class RunStarted:
    run_dir: str
    config: dict[str, Any]
    num_epochs: int
    batches_per_epoch: int
    device: str


@dataclass(frozen=True)
class BatchEnd:
    epoch: int              # 1-based
    batch: int              # 1-based within the epoch
    batches_per_epoch: int
    loss: float
    samples_per_s: float


@dataclass(frozen=True)
class PreviewSample:
    """A prediction on a fixed validation item, so a viewer can watch learning."""

    item_id: str
    image: np.ndarray               # uint8 (H, W) or (H, W, 3)
    target: int | np.ndarray | None
    prediction: np.ndarray          # (C,) class probabilities or (H, W) float mask probabilities


@dataclass(frozen=True)
class EpochEnd:
    epoch: int
    num_epochs: int
    train_loss: float
    val_loss: float | None
    metrics: dict[str, float]       # task metrics on validation: accuracy, or dice/iou/...
    seconds: float
    samples_per_s: float
    is_best: bool = False
    previews: tuple[PreviewSample, ...] = ()


RunStatus = Literal["finished", "cancelled", "failed"]


@dataclass(frozen=True)
class RunEnded:
    status: RunStatus
    run_dir: str
    message: str = ""                                  # one line, for failed/cancelled
    summary: dict[str, Any] = field(default_factory=dict)


Event = Union[RunStarted, BatchEnd, EpochEnd, RunEnded]
EventCallback = Callable[[Event], None]


def ignore_event(event: Event) -> None:
    """Default callback."""


class CancelToken:
    """A flag a trainer checks between batches; thread-safe to set from the UI."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class EventLog:
    """A callback that keeps every event: handy in tests and scripts."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]
