"""The Train panel: options, Train/Stop, live curves, progress, log, confusion matrix.

Training runs in a ``TrainingJob`` (QThread + worker); core events arrive here
as queued signals, so every widget is touched from the UI thread only. The main
window docks this panel and listens to ``run_started``/``epoch_finished``/``run_finished``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QMessageBox, QPlainTextEdit,
                               QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from core.errors import CnnLyticalError, one_line
from core.reports import load_run_curves, metric_names
from core.runs.config import TrainConfig
from core.runs.events import BatchEnd, EpochEnd, RunEnded, RunStarted
from core.runs.run_dir import RunDir
from gui.deferred import DeferredWidget
from gui.settings import open_settings
from gui.train.options import TrainOptionsForm, task_kind
from gui.train.progress import TrainingProgress
from gui.train.training_process import train_in_process
from gui.train.worker import TrainFunction, TrainingJob
from gui.window_support import scrollable
from gui.workers import TaskRunner

if TYPE_CHECKING:  # pyqtgraph: imported when the window opens Compare runs
    from gui.train.compare import CompareRunsWidget

LOG_LINES = 5000
PROGRESS_INTERVAL_MS = 100
TALL_LAYOUT_HEIGHT = 640  # px: above it the log tabs sit under the options
SCROLL_BAR_ROOM_PX = 18
WARM_UP_DELAY_MS = 1500  # after the window is shown: its first paints come first


def warm_up_and_probe_cuda() -> str | None:
    """Import the engines ahead of the first run; return the CUDA device's name or None.

    Run off the UI thread, soon after start-up: a first import of torch holds the GIL in C code
    for hundreds of milliseconds, which would otherwise freeze the UI when Train is clicked.
    """
    import importlib

    import torch

    for module in ("torchvision.transforms.v2", "core.training.trainer", "core.numpy_cnn.trainer",
                   "core.inference"):
        try:
            importlib.import_module(module)
        except ImportError:  # an engine that is not installed fails later, with its own message
            pass
    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None


def format_epoch(event: EpochEnd) -> str:
    """``epoch 2/5  train loss 0.312  val loss 0.298  accuracy 0.912  3.1 s  1,520/s  best``."""
    parts = [f"epoch {event.epoch}/{event.num_epochs}", f"train loss {event.train_loss:.4f}"]
    if event.val_loss is not None:
        parts.append(f"val loss {event.val_loss:.4f}")
    parts += [f"{key} {value:.4f}" for key, value in event.metrics.items()
              if isinstance(value, (int, float))]
    parts += [f"{event.seconds:.1f} s", f"{event.samples_per_s:,.0f}/s"]
    return "  ".join(parts) + ("  best" if event.is_best else "")


def format_best(summary: dict[str, Any]) -> str | None:
    if summary.get("best_epoch") is None:
        return None
    metric, value = summary.get("metric", "metric"), summary.get("best_metric")
    score = f": {metric} {value:.4f}" if isinstance(value, (int, float)) else ""
    return f"Best epoch {summary['best_epoch']}{score}"


class TrainPanel(QWidget):
    """Train a model on the current dataset and watch it learn."""

    run_started = Signal(str)                 # run directory
    epoch_finished = Signal(object)           # core EpochEnd
    run_finished = Signal(str, str, str)      # run_dir, finished|cancelled|failed, message

    def __init__(self, parent=None, train_function: TrainFunction = train_in_process,
                 settings: QSettings | None = None):
        super().__init__(parent)
        self._train_function = train_function
        self._settings = settings or open_settings()
        self._data_path: str | None = None
        self._kind: str | None = None
        self._job: TrainingJob | None = None
        self._last_run_dir: str | None = None
        self._batches_per_epoch = 1
        self._pending_batch: BatchEnd | None = None
        self.error_box: QMessageBox | None = None
        self.compare_window: CompareRunsWidget | None = None
        self.runs_folder = Path(str(self._settings.value("train/runs_folder", "") or "runs"))
        self.pool = QThreadPool(self)
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(PROGRESS_INTERVAL_MS)
        self.pool.setMaxThreadCount(1)
        self._build_widgets()
        self._connect()
        self.options.restore_settings(self._settings)
        self._warm_up_started = False

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        """Import torch in a worker once the window is up, so it never delays the first window."""
        super().showEvent(event)
        self._confusion.build_later()  # its tab is hidden until a run ends
        if not self._warm_up_started:
            self._warm_up_started = True
            QTimer.singleShot(WARM_UP_DELAY_MS, self, self._warm_up)

    def _warm_up(self) -> None:
        self._cuda_probe.submit(warm_up_and_probe_cuda)

    def _build_widgets(self) -> None:
        self.options = TrainOptionsForm()
        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.resume_button = QPushButton("Resume from run…")
        self.compare_button = QPushButton("Compare runs…")
        self.save_curves_button = QPushButton("Save curves…")
        self.progress = TrainingProgress()
        # pyqtgraph's import waits until the window has painted (gui/deferred.py)
        self._curves = DeferredWidget(_training_curves)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_LINES)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._confusion = DeferredWidget(_confusion_view)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.log, "Log")
        self.tabs.addTab(self._confusion, "Confusion matrix")
        self._lay_out()

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.stop_button)
        more = QHBoxLayout()
        for button in (self.resume_button, self.compare_button, self.save_curves_button):
            more.addWidget(button)
        controls = QWidget()
        controls_layout = QVBoxLayout(controls)
        controls_layout.setContentsMargins(0, 0, 0, 0)
        # buttons and progress first: in a short dock the form scrolls, Train/Stop stay in view
        controls_layout.addLayout(buttons)
        controls_layout.addLayout(more)
        controls_layout.addWidget(self.progress)
        controls_layout.addWidget(self.options)
        controls_layout.addStretch(1)
        self.left_column = QSplitter(Qt.Orientation.Vertical)
        form_area = scrollable(controls)  # only the form scrolls (vertically), not the plots
        form_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        form_area.setMinimumWidth(controls.sizeHint().width() + SCROLL_BAR_ROOM_PX)
        self.left_column.addWidget(form_area)
        self.left_column.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (self.left_column, self.tabs, self._curves):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([400, 380, 720])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        """Three columns in a short dock; when tall, the log tabs go under the options."""
        super().resizeEvent(event)
        tall = self.height() >= TALL_LAYOUT_HEIGHT
        if tall and self.tabs.parent() is self.splitter:
            self.left_column.addWidget(self.tabs)
            self.left_column.setStretchFactor(1, 1)
            self.splitter.setSizes([460, max(400, self.width() - 460)])
        elif not tall and self.tabs.parent() is self.left_column:
            self.splitter.insertWidget(1, self.tabs)
            self.splitter.setSizes([400, 380, max(400, self.width() - 780)])

    def _connect(self) -> None:
        self.train_button.clicked.connect(lambda: self.start_training())
        self.stop_button.clicked.connect(self.stop)
        self.resume_button.clicked.connect(self._choose_resume)
        # clicked(bool) would arrive as run_dirs=False: call it with no argument
        self.compare_button.clicked.connect(lambda: self.open_compare())
        self.save_curves_button.clicked.connect(self._choose_curves_png)
        self._cuda_probe = TaskRunner(self.pool, self)
        self._cuda_probe.finished.connect(lambda name: self.options.set_cuda_status(name, True))
        self._cuda_probe.failed.connect(lambda _: self.options.set_cuda_status(None, True))
        self._confusion_runner = TaskRunner(self.pool, self)
        self._confusion_runner.finished.connect(lambda report: self.confusion.set_report(report))
        self._confusion_runner.failed.connect(self._confusion_failed)
        self._progress_timer.timeout.connect(self._flush_progress)

    # --- public interface ----------------------------------------------------
    @property
    def is_training(self) -> bool:
        return self._job is not None

    @property
    def last_run_dir(self) -> str | None:
        return self._last_run_dir

    def set_dataset(self, path: str | None, task: str, kind: str | None = None) -> None:
        """The data the next run trains on (None = the task's demo data)."""
        self._data_path = path
        self._kind = kind
        self.options.set_task(task, kind)

    def start_training(self, overrides: dict[str, Any] | None = None) -> None:
        """Start a run with the form's options, ``overrides`` winning (TrainConfig fields)."""
        if self.is_training:
            self._append_log("A run is already in progress; stop it first.")
            return
        try:
            config = self._build_config(overrides or {})
        except (TypeError, ValueError) as error:
            self._report_failure("", one_line(error))
            return
        self.options.save_settings(self._settings)
        self._last_run_dir = config.out
        self.curves.start_run()
        self.confusion.show_message("Confusion matrix: computed when the run ends")
        self._append_log(f"Training {config.model_for(self._kind)} ({config.engine}) on "
                         f"{config.data or f'demo {config.task} data'}\nRun directory: {config.out}")
        self.progress.start(config.epochs)
        self._job = TrainingJob(config, self._train_function, self)
        self._job.event_emitted.connect(self._on_event)
        self._job.finished.connect(self._on_finished)
        self._set_running(True)
        self._job.start()

    def stop(self) -> None:
        """Ask the run to stop after the current batch; ``run_finished`` says 'cancelled'."""
        if self._job is not None:
            self._job.cancel()
            self.stop_button.setEnabled(False)
            self._append_log("Stopping after the current batch…")

    def resume_from(self, run_dir: str) -> None:
        """Continue a run directory: its options fill the form, then training resumes."""
        try:
            run = RunDir.open(run_dir)
            config, history = run.read_config(), load_run_curves(run_dir)
        except CnnLyticalError as error:
            self._report_failure(run_dir, str(error))
            return
        done = len(history["epoch"])
        self.options.apply_config(config)
        if done >= self.options.epochs_spin.value():
            self.options.epochs_spin.setValue(done + max(1, int(config.get("epochs", 1))))
        self._data_path = config.get("data")
        self._append_log(f"Resuming {run_dir} after {done} epochs")
        self.start_training({"resume": run_dir, "out": run_dir,
                             "demo_size": config.get("demo_size"), "seed": config.get("seed", 0)})
        if self.is_training:  # the epochs before the resume stay on the plots
            self.curves.add_history(history, metric_names(history))

    @property
    def curves(self):
        """The live ``TrainingCurves``, built on first use."""
        return self._curves.widget()

    @property
    def confusion(self):
        """The ``ConfusionMatrixView``, built on first use."""
        return self._confusion.widget()

    def open_compare(self, run_dirs: list[str] | None = None) -> CompareRunsWidget:
        """A separate Compare runs window, pre-filled with the last run."""
        from gui.train.compare import CompareRunsWidget

        if self.compare_window is None:
            self.compare_window = CompareRunsWidget()
            self.compare_window.setWindowFlag(Qt.WindowType.Window)
            self.compare_window.resize(1000, 620)
        for run_dir in run_dirs if run_dirs is not None else [self._last_run_dir]:
            if run_dir and run_dir not in self.compare_window.runs():
                try:
                    self.compare_window.add_run(run_dir)
                except CnnLyticalError as error:
                    self.compare_window.message.setText(str(error))
        self.compare_window.show()
        self.compare_window.raise_()
        return self.compare_window

    def save_curves_png(self, path: str | Path) -> Path:
        return self.curves.save_png(path)

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Stop any run and wait for every thread this panel started (window close, tests)."""
        if self._job is not None:
            self._job.cancel()
            self._job.wait(timeout_ms)
        self.pool.waitForDone(timeout_ms)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.shutdown()
        super().closeEvent(event)

    # --- building a run ------------------------------------------------------
    def _build_config(self, overrides: dict[str, Any]) -> TrainConfig:
        values = self.options.config_values()
        values.update(data=self._data_path, workers=0, out=self._new_run_dir(values))
        unknown = sorted(set(overrides) - set(TrainConfig.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown training option {', '.join(unknown)}")
        values.update(overrides)
        return TrainConfig(**values)

    def _new_run_dir(self, values: dict[str, Any]) -> str:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = self.runs_folder / f"{values['task']}-{values['engine']}-{stamp}"
        path, number = base, 1
        while path.exists():
            number += 1
            path = base.with_name(f"{base.name}-{number}")
        return str(path.resolve())

    # --- events from the worker (UI thread) ----------------------------------
    def _on_event(self, event) -> None:
        if isinstance(event, BatchEnd):
            self._batches_per_epoch = max(1, event.batches_per_epoch)
            position = event.epoch - 1 + event.batch / self._batches_per_epoch
            self.curves.add_batch(position, event.loss)
            self._pending_batch = event
        elif isinstance(event, EpochEnd):
            self.curves.add_epoch(event.epoch, event.train_loss, event.val_loss, event.metrics)
            self._append_log(format_epoch(event))
            self.epoch_finished.emit(event)
        elif isinstance(event, RunStarted):
            self._last_run_dir = event.run_dir
            self._batches_per_epoch = max(1, event.batches_per_epoch)
            self.progress.start(event.num_epochs)
            self.curves.set_epoch_span(event.num_epochs)
            self._append_log(f"Training on {event.device}: {event.num_epochs} epochs of "
                             f"{event.batches_per_epoch} batches")
            self.run_started.emit(event.run_dir)
        elif isinstance(event, RunEnded) and format_best(event.summary):
            self._append_log(format_best(event.summary))

    def _flush_progress(self) -> None:
        event, self._pending_batch = self._pending_batch, None
        if event is not None and self._job is not None:
            self.progress.update_batch(event.epoch, event.batch, event.batches_per_epoch,
                                       event.samples_per_s)

    def _on_finished(self, run_dir: str, status: str, message: str) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.wait(5000)  # run() has returned; the thread only has to leave its event loop
            job.deleteLater()
        self._last_run_dir = run_dir or self._last_run_dir
        self.curves.flush()
        self.progress.finish(status)
        self._set_running(False)
        if status == "failed":
            self._report_failure(run_dir, message, emit=False)
        else:
            self._append_log(f"Run {status}{': ' + message if message else ''} → {run_dir}")
            self._start_confusion(run_dir)
        self.run_finished.emit(run_dir, status, message)

    def _report_failure(self, run_dir: str, message: str, emit: bool = True) -> None:
        """One line in the log and a non-blocking dialog; the panel stays usable."""
        self._append_log(f"Error: {message}")
        self._set_running(False)
        self.error_box = QMessageBox(QMessageBox.Icon.Warning, "Training failed", message,
                                     QMessageBox.StandardButton.Ok, self)
        self.error_box.open()
        if emit:
            self.run_finished.emit(run_dir, "failed", message)

    def _start_confusion(self, run_dir: str) -> None:
        kind = self._kind or task_kind(self.options.task)
        if kind != "classification" or not run_dir:
            self.confusion.show_message("Confusion matrix: classification runs only")
            return
        from core.reports import confusion_matrix_for_run

        self.confusion.show_message("Computing the confusion matrix…")
        self._confusion_runner.submit(lambda: confusion_matrix_for_run(run_dir))

    def _confusion_failed(self, message: str) -> None:
        self.confusion.show_message("No confusion matrix")
        self._append_log(f"Confusion matrix: {message}")

    # --- small UI helpers ----------------------------------------------------
    def _set_running(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.resume_button.setEnabled(not running)
        self.options.setEnabled(not running)
        if running:
            self._progress_timer.start()
        else:
            self._progress_timer.stop()

    def _append_log(self, text: str) -> None:
        self.log.appendPlainText(text)

    def _choose_resume(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Resume from run", str(self.runs_folder))
        if folder:
            self.resume_from(folder)

    def _choose_curves_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save curves", "training_curves.png",
                                              "PNG image (*.png)")
        if path:
            try:
                self._append_log(f"Saved {self.save_curves_png(path)}")
            except CnnLyticalError as error:
                self._report_failure(self._last_run_dir or "", str(error), emit=False)


def _training_curves():
    from gui.train.curves import TrainingCurves

    return TrainingCurves()


def _confusion_view():
    from gui.train.confusion import ConfusionMatrixView

    return ConfusionMatrixView()
