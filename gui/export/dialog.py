"""ExportDialog: choose format, int8 and calibration size, watch the stages, read the report,
then see where float32 and int8 disagree on an image before shipping the file.

Modeless; the export runs in an ``ExportJob`` thread and the comparison
predictions in a one-thread pool, so the window stays responsive. Closing the
dialog cancels a running export and waits for its thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QThreadPool, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QSpinBox,
                               QSplitter, QVBoxLayout, QWidget)

from core.export.measure import heldout_indices
from core.export.pipeline import FORMATS, STAGES, ExportOptions, output_paths
from gui.export.disagreement import DisagreementView
from gui.export.report_table import ReportTable
from gui.export.worker import ExportJob
from gui.settings import open_settings
from gui.workers import TaskRunner

SETTINGS_PREFIX = "export/"


class ExportDialog(QDialog):
    export_finished = Signal(object)   # the report dict
    export_failed = Signal(str)
    comparison_shown = Signal()        # the disagreement view shows a new image

    def __init__(self, run_dir: str, dataset=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.run_dir = str(run_dir)
        self.dataset = dataset
        self.report: dict[str, Any] | None = None
        self.job: ExportJob | None = None
        self.image: np.ndarray | None = None
        self._item: dict | None = None     # id and true label of self.image, when it is a dataset item
        self._entries_report: dict | None = None
        self._heldout_position = 0
        self._predictors: dict[str, Any] = {}   # used only inside the comparison pool's thread
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self.setWindowTitle(f"Export model — {Path(self.run_dir).name}")
        self._build()
        self.compare_runner = TaskRunner(self._pool, self)
        self.compare_runner.finished.connect(self._show_comparison)
        self.compare_runner.failed.connect(self.disagreement.show_message)
        self._restore_settings()
        self.resize(1280, 660)

    # --- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        splitter = QSplitter()
        splitter.addWidget(self._build_export_side())
        splitter.addWidget(self._build_comparison_side())
        splitter.setSizes([660, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _build_export_side(self) -> QWidget:
        self.format_box = QComboBox()
        self.format_box.addItems([name.upper() for name in FORMATS])
        self.int8_box = QCheckBox("int8 (static, calibrated on training images)")
        self.calib_spin = QSpinBox()
        self.calib_spin.setRange(1, 5000)
        self.calib_spin.setSuffix(" training images")
        self.out_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Run", QLabel(self.run_dir))
        form.addRow("Format", self.format_box)
        form.addRow("Quantize", self.int8_box)
        form.addRow("Calibration", self.calib_spin)
        form.addRow("Output file", out_row)
        self.int8_box.toggled.connect(self._int8_toggled)
        options = QGroupBox("Export")
        options.setLayout(form)
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(options)
        column.addLayout(self._build_progress_row())
        self.table = ReportTable()
        column.addWidget(self.table, 1)
        return side

    def _build_progress_row(self) -> QHBoxLayout:
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_export)
        self.progress = QProgressBar()
        self.progress.setRange(0, len(STAGES))
        self.progress.setValue(0)
        self.stage_label = QLabel("Ready.")
        self.stage_label.setMinimumWidth(260)
        row = QHBoxLayout()
        row.addWidget(self.export_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.progress, 1)
        row.addWidget(self.stage_label, 2)
        return row

    def _build_comparison_side(self) -> QWidget:
        box = QGroupBox("float32 vs int8 on one image")
        self.previous_button = QPushButton("◀ Previous held-out")
        self.next_button = QPushButton("Next held-out ▶")
        self.previous_button.clicked.connect(lambda: self._step_heldout(-1))
        self.next_button.clicked.connect(lambda: self._step_heldout(1))
        navigation = QHBoxLayout()
        navigation.addWidget(self.previous_button)
        navigation.addWidget(self.next_button)
        navigation.addStretch(1)
        self.disagreement = DisagreementView()
        self.disagreement.entry_chosen.connect(self.show_entry)
        column = QVBoxLayout(box)
        column.addLayout(navigation)
        column.addWidget(self.disagreement, 1)
        self._update_navigation()
        return box

    # --- options -----------------------------------------------------------------------------
    def options(self) -> ExportOptions:
        return ExportOptions(format=FORMATS[self.format_box.currentIndex()],
                             quantize="int8" if self.int8_box.isChecked() else None,
                             calib=self.calib_spin.value(), out=self.out_edit.text().strip() or None)

    def _default_out(self, int8: bool) -> str:
        options = ExportOptions(quantize="int8" if int8 else None)
        key = "onnx_int8" if int8 else "onnx_fp32"
        return str(output_paths(Path(self.run_dir), options)[key])

    def _int8_toggled(self, checked: bool) -> None:
        if self.out_edit.text() in ("", self._default_out(not checked)):
            self.out_edit.setText(self._default_out(checked))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.out_edit.text(),
                                              "ONNX model (*.onnx)")
        if path:
            self.out_edit.setText(path if path.endswith(".onnx") else path + ".onnx")

    def _restore_settings(self) -> None:
        settings = open_settings()
        self.int8_box.setChecked(str(settings.value(SETTINGS_PREFIX + "int8", "true")) == "true")
        self.calib_spin.setValue(int(settings.value(SETTINGS_PREFIX + "calib", 64)))
        self.out_edit.setText(self._default_out(self.int8_box.isChecked()))

    def _save_settings(self) -> None:
        settings = open_settings()
        settings.setValue(SETTINGS_PREFIX + "int8", "true" if self.int8_box.isChecked() else "false")
        settings.setValue(SETTINGS_PREFIX + "calib", self.calib_spin.value())

    # --- export --------------------------------------------------------------------------------
    @property
    def is_exporting(self) -> bool:
        return self.job is not None and self.job.is_running

    def start_export(self, options: ExportOptions | None = None) -> None:
        """Start an export with ``options`` (default: what the form says)."""
        if self.is_exporting:
            return
        options = options if isinstance(options, ExportOptions) else self.options()
        self._save_settings()
        self.report = None
        self._predictors = {}
        self.table.set_report(None)
        self.disagreement.set_entries([], [])
        self.job = ExportJob(self.run_dir, options, self)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(lambda: self._on_ended("Cancelled; no file was written."))
        self._set_running(True)
        self.job.start()

    def cancel_export(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.stage_label.setText("Cancelling after the current stage…")

    def _set_running(self, running: bool) -> None:
        for widget in (self.export_button, self.format_box, self.int8_box, self.calib_spin, self.out_edit):
            widget.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if running:
            self.progress.setValue(0)

    def _on_progress(self, stage: str, message: str) -> None:
        self.progress.setValue(STAGES.index(stage) if stage in STAGES else self.progress.value())
        self.stage_label.setText(f"{stage}: {message}")

    def _on_finished(self, report: dict[str, Any]) -> None:
        self.report = report
        self.table.set_report(report)
        self._on_ended(f"Done: {report['files'].get('onnx_int8') or report['files']['onnx_fp32']}")
        self.progress.setValue(len(STAGES))
        self.export_finished.emit(report)
        self._update_navigation()
        self._compare()

    def _on_failed(self, message: str) -> None:
        self._on_ended(f"Failed: {message}")
        self.export_failed.emit(message)

    def _on_ended(self, text: str) -> None:
        self._set_running(False)
        self.stage_label.setText(text)
        self.stage_label.setToolTip(text)

    # --- float32 vs int8 comparison -------------------------------------------------------------
    def set_image(self, image: np.ndarray | None, item: dict | None = None) -> None:
        """Compare float32 and int8 on ``image`` (now, or as soon as an int8 export exists);
        ``item`` ({"index", "id", "label"}) names it when it is a dataset item."""
        self.image = None if image is None else np.array(image, copy=True)
        self._item = item
        self._compare()

    def show_entry(self, entry: dict) -> None:
        """Compare on the report's scored image ``entry`` (read in the pool when no dataset is open)."""
        item = {key: entry[key] for key in ("index", "id", "label")}
        if self.dataset is not None:
            self.set_image(self.dataset[int(entry["index"])].image, item)
        else:
            self.set_image(None, item)

    def _step_heldout(self, step: int) -> None:
        dataset = self.dataset
        indices = heldout_indices(dataset) if dataset is not None else []
        if len(indices):
            self._heldout_position = (self._heldout_position + step) % len(indices)
            index = int(indices[self._heldout_position])
            sample = dataset[index]
            self.set_image(sample.image, _item(index, sample))

    def _update_navigation(self) -> None:
        has_heldout = self.dataset is not None and len(heldout_indices(self.dataset)) > 0
        for button in (self.previous_button, self.next_button):
            button.setEnabled(has_heldout and self.report is not None)

    def _compare(self) -> None:
        files = (self.report or {}).get("files", {})
        if "onnx_int8" not in files:
            if self.report is not None:
                self.disagreement.show_message("This export has no int8 model: nothing to compare.")
            return
        image, run_dir, item = self.image, self.run_dir, self._item
        predictors = self._predictors
        self.compare_runner.submit(lambda: _predict_both(files, predictors, image, run_dir, item))

    def _show_comparison(self, result: tuple) -> None:
        image, kind, class_names, float_output, int8_output, item = result
        if self.image is None:
            self.image, self._item = image, item
        if kind == "classification":
            if self._entries_report is not self.report:
                self._entries_report = self.report
                entries = (self.report or {}).get("changed_predictions", {}).get("images", [])
                self.disagreement.set_entries(entries, class_names)
            item = item or {}
            self.disagreement.show_probabilities(float_output, int8_output, class_names,
                                                 true_label=item.get("label"), image=image,
                                                 item_id=item.get("id"))
        else:
            self.disagreement.show_masks(image, float_output, int8_output)
        self.comparison_shown.emit()

    # --- closing ------------------------------------------------------------------------------
    def shutdown(self, timeout_ms: int = 60000) -> None:
        """Cancel a running export and wait for every worker thread (tests, app exit)."""
        if self.job is not None:
            self.job.cancel()
            self.job.wait(timeout_ms)
        self.compare_runner.cancel_pending()
        self._pool.waitForDone(timeout_ms)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.shutdown()
        super().closeEvent(event)


def _item(index: int, sample) -> dict:
    label = None if sample.target is None or np.ndim(sample.target) else int(sample.target)
    return {"index": index, "id": str(sample.item_id), "label": label}


def _predict_both(files: dict[str, str], predictors: dict[str, Any], image: np.ndarray | None,
                  run_dir: str, item: dict | None = None) -> tuple:
    """(image, kind, class names, float32 output, int8 output, item); runs in the comparison
    pool. Without an image: the run's item ``item["index"]``, else its first held-out image."""
    from core.export.onnx_predictor import OnnxPredictor

    for key in ("onnx_fp32", "onnx_int8"):
        if predictors.get(key) is None or str(predictors[key].path) != files[key]:
            predictors[key] = OnnxPredictor(files[key], threads=1)
    if image is None:  # nothing chosen yet, or a listed item of a run whose dataset is not open
        from core.runs.run_dir import RunDir

        dataset = predictors.get("dataset") or RunDir.open(run_dir).dataset()
        predictors["dataset"] = dataset
        index = int(item["index"]) if item else int(heldout_indices(dataset)[0])
        sample = dataset[index]
        image, item = np.asarray(sample.image), item or _item(index, sample)
    float_model, int8_model = predictors["onnx_fp32"], predictors["onnx_int8"]
    return (image, float_model.kind, float_model.class_names,
            float_model.predict(image), int8_model.predict(image), item)
