"""Optimisers and learning-rate schedules, built from a TrainConfig.

OneCycle steps after every batch; cosine and step after every epoch;
reduce-on-plateau after every epoch on the validation metric (higher is better).
"""

from __future__ import annotations

from typing import Any

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
SCHEDULES = ("none", "onecycle", "cosine", "step", "plateau")


def build_optimizer(name: str, parameters, lr: float, weight_decay: float = 0.0):
    """SGD (plain, momentum 0.9, Nesterov), RMSprop, Adam (L2) or AdamW (decoupled decay)."""
    import torch

    name = name.lower()
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=lr, weight_decay=weight_decay)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(parameters, lr=lr, momentum=0.9, nesterov=name == "nesterov",
                               weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(parameters, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(parameters, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


class Schedule:
    """One object the trainer calls after each batch and each epoch, whatever the policy."""

    def __init__(self, name: str, optimizer, *, lr: float, epochs: int, steps_per_epoch: int):
        import torch.optim.lr_scheduler as lr_scheduler

        self.name = name.lower()
        self.optimizer = optimizer
        if self.name == "none":
            self.scheduler = None
        elif self.name == "onecycle":
            self.scheduler = lr_scheduler.OneCycleLR(
                optimizer, max_lr=lr, total_steps=max(1, epochs * steps_per_epoch))
        elif self.name == "cosine":
            self.scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, epochs))
        elif self.name == "step":
            self.scheduler = lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.1)
        elif self.name == "plateau":
            self.scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, mode="max", factor=0.5,
                                                            patience=2)
        else:
            raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}")

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def after_batch(self) -> None:
        # Past its planned steps (a resumed run given more epochs) OneCycle stays at its floor.
        if self.name == "onecycle" and self.scheduler.last_epoch < self.scheduler.total_steps - 1:
            self.scheduler.step()

    def after_epoch(self, metric: float | None) -> None:
        if self.name == "step" or (self.name == "cosine"
                                   and self.scheduler.last_epoch < self.scheduler.T_max):
            self.scheduler.step()
        elif self.name == "plateau" and metric is not None:
            self.scheduler.step(metric)

    def state_dict(self) -> dict[str, Any]:
        return {} if self.scheduler is None else self.scheduler.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.scheduler is not None and state:
            self.scheduler.load_state_dict(state)
