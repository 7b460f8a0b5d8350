"""Growing arrays for live curves: append is O(1) amortised, plotting gets views.

pyqtgraph habit: keep one preallocated buffer per curve and double it when it is
full, instead of re-creating arrays (or curves) at every point.
"""

from __future__ import annotations

import math

import numpy as np


class GrowingSeries:
    """(x, y) points appended one at a time; ``x``/``y`` are views of the filled part."""

    def __init__(self, capacity: int = 256):
        self._x = np.empty(max(1, capacity), dtype=np.float64)
        self._y = np.empty(max(1, capacity), dtype=np.float64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, x: float, y: float) -> None:
        if self._size == len(self._x):
            self._x = np.concatenate([self._x, np.empty_like(self._x)])
            self._y = np.concatenate([self._y, np.empty_like(self._y)])
        self._x[self._size] = x
        self._y[self._size] = y
        self._size += 1

    def clear(self) -> None:
        self._size = 0

    @property
    def x(self) -> np.ndarray:
        return self._x[: self._size]

    @property
    def y(self) -> np.ndarray:
        return self._y[: self._size]


class ExponentialMovingAverage:
    """Smoothed loss as TensorBoard shows it: EMA with bias correction for the first steps."""

    def __init__(self, smoothing: float = 0.95):
        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing must be in [0, 1); got {smoothing}")
        self.smoothing = smoothing
        self._value = 0.0
        self._steps = 0

    def update(self, value: float) -> float:
        """Add one value (non-finite values are skipped) and return the smoothed value."""
        if math.isfinite(value):
            self._value = self.smoothing * self._value + (1.0 - self.smoothing) * value
            self._steps += 1
        return self.value

    @property
    def value(self) -> float:
        if self._steps == 0:
            return math.nan
        return self._value / (1.0 - self.smoothing ** self._steps)

    def reset(self) -> None:
        self._value = 0.0
        self._steps = 0
