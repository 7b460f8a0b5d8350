"""Run progress: a bar over all batches of all epochs, samples/s and time left."""

from __future__ import annotations

import math
import time

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

BAR_STEPS = 1000


def format_duration(seconds: float) -> str:
    """``75`` -> ``"1:15"``; ``3725`` -> ``"1:02:05"``; unknown -> ``"–"``."""
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def estimate_time_left(elapsed: float, fraction_done: float) -> float:
    """Linear extrapolation of the elapsed time (it includes validation and saving)."""
    if fraction_done <= 0.0:
        return math.nan
    return max(0.0, elapsed * (1.0 - fraction_done) / fraction_done)


class TrainingProgress(QWidget):
    """Bar + one line of text; ``update_batch`` is cheap enough to call per batch."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setTextVisible(True)
        self.label = QLabel("Idle")
        self.label.setMinimumWidth(220)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label)
        self._started = time.monotonic()
        self._num_epochs = 1

    def start(self, num_epochs: int) -> None:
        self._started = time.monotonic()
        self._num_epochs = max(1, num_epochs)
        self.bar.setValue(0)
        self.label.setText(f"epoch 1/{self._num_epochs} · starting…")

    def update_batch(self, epoch: int, batch: int, batches_per_epoch: int,
                     samples_per_s: float) -> None:
        done = ((epoch - 1) + batch / max(1, batches_per_epoch)) / self._num_epochs
        self.bar.setValue(int(round(min(1.0, done) * BAR_STEPS)))
        left = estimate_time_left(time.monotonic() - self._started, done)
        self.label.setText(f"epoch {epoch}/{self._num_epochs} · {samples_per_s:,.0f} samples/s · "
                           f"{format_duration(left)} left")

    def finish(self, status: str) -> None:
        if status == "finished":
            self.bar.setValue(BAR_STEPS)
        elapsed = format_duration(time.monotonic() - self._started)
        self.label.setText(f"{status} after {elapsed}")
