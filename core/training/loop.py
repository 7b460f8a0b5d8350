"""One training epoch and one evaluation pass: the inner loops of the Trainer.

Kept apart from run bookkeeping (trainer.py) so the hot path stays short and
the benchmark can compare it with a bare hand-written loop.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable

from core.runs.lifecycle import NonFiniteLoss
from core.training.device import autocast


@dataclass
class Step:
    """Everything one optimisation step needs."""

    model: Any
    loss_fn: Any
    optimizer: Any
    schedule: Any
    device: Any
    amp_dtype: Any = None
    scaler: Any = None                # GradScaler for fp16; None for bf16/fp32
    memory_format: Any = None
    grad_clip: float | None = None
    distributed: Any = None           # ddp.Distributed


@dataclass
class EpochResult:
    loss: float
    samples: int
    seconds: float
    cancelled: bool = False

    @property
    def samples_per_s(self) -> float:
        return self.samples / self.seconds if self.seconds > 0 else 0.0


def to_device(batch, device, memory_format=None):
    """(images, targets[, weights]) -> tensors on ``device``; weights None when absent."""
    non_blocking = device.type == "cuda"
    images = batch[0].to(device, non_blocking=non_blocking)
    if memory_format is not None:
        images = images.contiguous(memory_format=memory_format)
    targets = batch[1].to(device, non_blocking=non_blocking)
    weights = batch[2].to(device, non_blocking=non_blocking) if len(batch) > 2 else None
    return images, targets, weights


def train_epoch(step: Step, loader, *, epoch: int, cancel,
                on_batch: Callable[[int, float, float], None] | None = None) -> EpochResult:
    """Train one epoch; stops early (``cancelled=True``) when ``cancel`` is set.

    ``on_batch(batch, loss, samples_per_s)`` is called after every batch.
    Raises NonFiniteLoss before a NaN/inf step is applied.
    """
    step.model.train()
    started = time.perf_counter()
    total_loss, samples = 0.0, 0
    for batch_number, batch in enumerate(loader, 1):
        if cancel.cancelled:
            return EpochResult(total_loss / max(samples, 1), samples,
                               time.perf_counter() - started, cancelled=True)
        images, targets, weights = to_device(batch, step.device, step.memory_format)
        loss = _optimise(step, images, targets, weights, epoch, batch_number)
        samples += len(images)
        total_loss += loss * len(images)
        if on_batch is not None:
            on_batch(batch_number, loss, samples / max(time.perf_counter() - started, 1e-9))
    return EpochResult(total_loss / max(samples, 1), samples, time.perf_counter() - started)


def _optimise(step: Step, images, targets, weights, epoch: int, batch_number: int) -> float:
    """Forward, backward, clip, step; returns the batch loss (averaged over DDP ranks)."""
    with autocast(step.device, step.amp_dtype):
        logits = step.model(images)
    loss = step.loss_fn(logits.float(), targets, weights)
    value = float(loss.detach())
    if step.distributed is not None:
        value = step.distributed.mean(value, step.device)
    if not math.isfinite(value):
        raise NonFiniteLoss(f"loss became {value} at epoch {epoch}, batch {batch_number} "
                            f"(lr {step.schedule.lr:.3g}); lower the learning rate or clip gradients")
    step.optimizer.zero_grad(set_to_none=True)
    if step.scaler is not None:
        step.scaler.scale(loss).backward()
        step.scaler.unscale_(step.optimizer)
        _clip(step)
        step.scaler.step(step.optimizer)
        step.scaler.update()
    else:
        loss.backward()
        _clip(step)
        step.optimizer.step()
    step.schedule.after_batch()
    return value


def _clip(step: Step) -> None:
    if step.grad_clip:
        import torch

        torch.nn.utils.clip_grad_norm_(step.model.parameters(), step.grad_clip)


def evaluate(model, loader, loss_fn, meter, *, device, amp_dtype=None, memory_format=None,
             cancel=None) -> tuple[float | None, dict[str, Any], bool]:
    """Mean loss and the meter's metrics over ``loader``; third value: cancelled midway."""
    import torch

    model.eval()
    meter.reset()
    total_loss, samples = 0.0, 0
    with torch.no_grad():
        for batch in loader:
            if cancel is not None and cancel.cancelled:
                return None, {}, True
            images, targets, weights = to_device(batch, device, memory_format)
            with autocast(device, amp_dtype):
                logits = model(images)
            logits = logits.float()
            total_loss += float(loss_fn(logits, targets, weights)) * len(images)
            samples += len(images)
            meter.update(logits, targets)
    if samples == 0:
        return None, {}, False
    return total_loss / samples, meter.compute(), False
