"""TrainingLink: the Train panel's run becomes the current model, reloaded at every epoch end.

The trainer rewrites the run's ``model.pt``/``model.npz`` after each epoch, so
reloading it there lets the user watch the prediction on the image on screen
improve while training goes on. The panel itself may be missing (then every
call here does nothing).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from core.errors import CnnLyticalError
from core.runs.run_dir import RunDir

# Short epochs (small data) end several times a second; reloading the model each time
# would keep a worker busy and starve the UI thread of the GIL. Once a second is plenty
# to watch a model learn.
MIN_RELOAD_INTERVAL_MS = 1000
CORRECTION_EPOCHS = 3
CHANGED_PIXEL_WEIGHT = 3.0


class TrainingLink(QObject):
    """Signals: ``running_changed(bool)``, ``status(text, timeout_ms)``."""

    running_changed = Signal(bool)
    status = Signal(str, int)

    def __init__(self, panel, prediction, parent: QObject | None = None):
        super().__init__(parent)
        self.panel = panel
        self.prediction = prediction
        self.training_run: str | None = None
        self._reload_pending = False
        self._reload_cooldown = QTimer(self)
        self._reload_cooldown.setSingleShot(True)
        self._reload_cooldown.setInterval(MIN_RELOAD_INTERVAL_MS)
        self._reload_cooldown.timeout.connect(self._reload_if_pending)
        if panel is not None:
            panel.run_started.connect(self._on_run_started)
            panel.epoch_finished.connect(self._on_epoch_finished)
            panel.run_finished.connect(self._on_run_finished)

    def start(self, overrides: dict | None = None) -> None:
        if self.panel is not None:
            self.panel.start_training(overrides)

    def stop(self) -> None:
        if self.panel is not None:
            self.panel.stop()

    def compare_runs(self) -> None:
        if self.panel is not None:
            self.panel.open_compare()

    def train_on_corrections(self, masks_dir: str, init_from: str | None) -> None:
        """Fine-tune on the user's corrected masks, weighting the pixels they changed."""
        overrides = {"mask_overrides": masks_dir, "changed_pixel_weight": CHANGED_PIXEL_WEIGHT,
                     "epochs": CORRECTION_EPOCHS}
        if init_from:
            overrides["init_from"] = init_from
        self.start(overrides)

    def _on_run_started(self, run_dir: str) -> None:
        self.training_run = run_dir
        self.running_changed.emit(True)
        self.status.emit(f"Training into {run_dir}…", 0)

    def _on_epoch_finished(self, _event) -> None:
        if not self.training_run:
            return
        if self._reload_cooldown.isActive():
            self._reload_pending = True
            return
        self.prediction.load_run(self.training_run)
        self._reload_cooldown.start()

    def _reload_if_pending(self) -> None:
        if self._reload_pending and self.training_run:
            self._reload_pending = False
            self.prediction.load_run(self.training_run)
            self._reload_cooldown.start()

    def _on_run_finished(self, run_dir: str, status: str, message: str) -> None:
        self.training_run = None
        self._reload_cooldown.stop()
        self._reload_pending = False
        self.running_changed.emit(False)
        self.status.emit(f"Run {status}: {run_dir}" + (f" ({message})" if message else ""), 10000)
        if run_dir and _has_latest_weights(run_dir):
            self.prediction.load_run(run_dir)


def _has_latest_weights(run_dir: str) -> bool:
    """Whether the run wrote weights the Prediction panel can load (RunDir knows the names)."""
    try:
        return RunDir.open(run_dir).has_weights("latest")
    except CnnLyticalError:
        return False
