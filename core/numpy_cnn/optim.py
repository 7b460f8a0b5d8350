"""Optimisers that update parameter arrays in place, with torch.optim's exact rules.

``step(grads)`` takes the gradients in the same order as the parameters given
at construction. ``weight_decay`` is L2 added to the gradient, except for
AdamW, where it is decoupled (the weights shrink directly).
"""

from __future__ import annotations

import math

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")


class Optimizer:
    def __init__(self, params: list[np.ndarray], lr: float, weight_decay: float = 0.0):
        self.params = params
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)
        self.steps = 0

    def step(self, grads: list[np.ndarray]) -> None:
        self.steps += 1
        for index, (param, grad) in enumerate(zip(self.params, grads)):
            if self.weight_decay and not self.decoupled:
                grad = grad + self.weight_decay * param
            self.update(index, param, grad)

    decoupled = False
    slot_names: tuple[str, ...] = ()   # per-parameter state lists (momentum buffers, moments)

    def update(self, index: int, param: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """Every state array, keyed ``slot/index``, plus the step count (for checkpoints)."""
        arrays = {f"{slot}/{index}": value for slot in self.slot_names
                  for index, value in enumerate(getattr(self, slot))}
        arrays["steps"] = np.array(self.steps)
        return arrays

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        for slot in self.slot_names:
            for index, value in enumerate(getattr(self, slot)):
                value[...] = arrays[f"{slot}/{index}"]
        self.steps = int(arrays["steps"])


class SGD(Optimizer):
    """Plain SGD, heavy-ball momentum, or Nesterov momentum (torch's formulation)."""

    def __init__(self, params, lr, momentum: float = 0.0, nesterov: bool = False, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.momentum, self.nesterov = float(momentum), nesterov
        self.velocity = [np.zeros_like(p) for p in params]
        self.slot_names = ("velocity",)

    def update(self, index, param, grad):
        if self.momentum:
            velocity = self.velocity[index]
            velocity *= self.momentum
            velocity += grad
            grad = grad + self.momentum * velocity if self.nesterov else velocity
        param -= self.lr * grad


class RMSprop(Optimizer):
    def __init__(self, params, lr, alpha: float = 0.99, eps: float = 1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.alpha, self.eps = alpha, eps
        self.square_avg = [np.zeros_like(p) for p in params]
        self.slot_names = ("square_avg",)

    def update(self, index, param, grad):
        square = self.square_avg[index]
        square *= self.alpha
        square += (1 - self.alpha) * grad * grad
        param -= self.lr * grad / (np.sqrt(square) + self.eps)


class Adam(Optimizer):
    """Adam with bias correction; ``decoupled=True`` makes it AdamW."""

    def __init__(self, params, lr, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay=0.0,
                 decoupled: bool = False):
        super().__init__(params, lr, weight_decay)
        self.betas, self.eps, self.decoupled = betas, eps, decoupled
        self.first = [np.zeros_like(p) for p in params]
        self.second = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]   # working memory, not state
        self.slot_names = ("first", "second")

    def update(self, index, param, grad):
        """torch's order of operations, in place: one scratch array per parameter, no
        temporaries (the update was 8% of a lenet step when each line allocated)."""
        beta1, beta2 = self.betas
        if self.decoupled and self.weight_decay:
            param *= 1 - self.lr * self.weight_decay
        first, second, scratch = self.first[index], self.second[index], self.scratch[index]
        first *= beta1
        first += np.multiply(grad, 1 - beta1, out=scratch)
        second *= beta2
        second += np.multiply(np.multiply(grad, grad, out=scratch), 1 - beta2, out=scratch)
        denominator = np.sqrt(second, out=scratch)                      # sqrt(v / bc2) + eps
        denominator *= 1 / math.sqrt(1 - beta2 ** self.steps)          # a Python float keeps float32
        denominator += self.eps
        step = np.divide(first, denominator, out=scratch)               # m / denominator
        step *= self.lr / (1 - beta1 ** self.steps)
        param -= step


def build_optimizer(name: str, params: list[np.ndarray], lr: float,
                    weight_decay: float = 0.0) -> Optimizer:
    """An optimiser by name (one of OPTIMIZERS), with the usual defaults."""
    if name == "sgd":
        return SGD(params, lr, weight_decay=weight_decay)
    if name in ("momentum", "nesterov"):
        return SGD(params, lr, momentum=0.9, nesterov=name == "nesterov", weight_decay=weight_decay)
    if name == "rmsprop":
        return RMSprop(params, lr, weight_decay=weight_decay)
    if name in ("adam", "adamw"):
        return Adam(params, lr, weight_decay=weight_decay, decoupled=name == "adamw")
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def clip_grad_norm(grads: list[np.ndarray], max_norm: float) -> float:
    """Scale all gradients in place so their global L2 norm is at most ``max_norm``.

    Returns the norm before clipping (like ``torch.nn.utils.clip_grad_norm_``).
    """
    total = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads)))
    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        for grad in grads:
            grad *= scale
    return total
