"""Learning-rate schedules as a pure function of the optimisation step.

    none      constant
    step      x0.1 at 1/3 and 2/3 of training
    cosine    half a cosine from lr to 0
    warmup    linear ramp over the first 5% of steps (at least one epoch's worth
              when that fits), then constant
    onecycle  the warm-up ramp followed by cosine decay
    plateau   constant, x0.1 whenever the validation metric has not improved
              for two epochs (call ``after_epoch``)
"""

from __future__ import annotations

import math

SCHEDULES = ("none", "step", "cosine", "warmup", "onecycle", "plateau")
PLATEAU_PATIENCE = 2


class LRSchedule:
    def __init__(self, kind: str, base_lr: float, total_steps: int, steps_per_epoch: int = 1):
        if kind not in SCHEDULES:
            raise ValueError(f"unknown schedule {kind!r} for the numpy engine; "
                             f"choose one of {', '.join(SCHEDULES)}")
        self.kind, self.base_lr = kind, float(base_lr)
        self.total_steps = max(1, int(total_steps))
        self.warmup_steps = max(1, int(0.05 * self.total_steps))
        if steps_per_epoch < self.total_steps // 2:
            self.warmup_steps = max(self.warmup_steps, min(steps_per_epoch, self.total_steps // 5))
        self.plateau_factor, self.best_metric, self.epochs_without_gain = 1.0, None, 0

    def after_epoch(self, metric: float | None) -> None:
        """Feed the epoch's validation metric (higher is better); only ``plateau`` uses it."""
        if metric is None or self.kind != "plateau":
            return
        if self.best_metric is None or metric > self.best_metric:
            self.best_metric, self.epochs_without_gain = metric, 0
            return
        self.epochs_without_gain += 1
        if self.epochs_without_gain >= PLATEAU_PATIENCE:
            self.plateau_factor *= 0.1
            self.epochs_without_gain = 0

    def lr_at(self, step: int) -> float:
        """Learning rate for 0-based ``step``."""
        progress = min(step / self.total_steps, 1.0)
        if self.kind in ("none", "plateau"):
            return self.base_lr * self.plateau_factor
        if self.kind == "step":
            return self.base_lr * 0.1 ** min(int(progress * 3), 2)
        if self.kind == "cosine":
            return self._cosine(step, 0)
        ramp = min(1.0, (step + 1) / self.warmup_steps)
        if self.kind == "warmup" or step < self.warmup_steps:
            return self.base_lr * ramp
        return self._cosine(step, self.warmup_steps)

    def _cosine(self, step: int, start: int) -> float:
        span = max(1, self.total_steps - start)
        fraction = min(max(step - start, 0) / span, 1.0)
        return 0.5 * self.base_lr * (1 + math.cos(math.pi * fraction))
