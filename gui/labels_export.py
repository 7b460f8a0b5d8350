"""File > Export labels…: the dataset's masks as COCO, VOC, YOLO-seg, labelme or Carvana CSV.

The writing is ``core.labels.export_labels`` in its own QThread (``ThreadJob``),
reporting through a progress bar; Cancel sets a flag the export checks between
items, and a cancelled or failed export leaves nothing behind (core writes into
a staging folder and renames it at the end). The user's corrected masks win
when the box is ticked, as in training.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout,
                               QWidget)

from core.annotation.storage import MaskStore, default_masks_dir
from core.errors import CnnLyticalError, one_line
from core.runs.events import CancelToken
from gui.thread_job import ThreadJob

log = logging.getLogger(__name__)

FORMATS = {  # core format name -> (menu text, what gets written)
    "coco": ("COCO instances JSON", "images/ + annotations/instances_<split>.json: polygons, RLE for "
                                    "objects with holes"),
    "voc": ("Pascal VOC", "JPEGImages/, SegmentationClass/ palette PNGs, ImageSets/Segmentation/<split>.txt, "
                          "labelmap.txt"),
    "yolo-seg": ("YOLO segmentation", "images/<split>/, labels/<split>/*.txt normalised polygons, data.yaml"),
    "labelme": ("labelme JSON", "<image> + <image>.json per item (polygons; mask shapes for objects "
                                "with holes), labels.txt"),
    "carvana-csv": ("Carvana CSV (Kaggle RLE)", "train/ + train_masks.csv (img,rle_mask); binary masks only"),
}


class LabelsExportWorker(QObject):
    progress = Signal(int, int)     # items done, items in all
    finished = Signal(object)       # the summary dict
    failed = Signal(str)            # one line for the user
    cancelled = Signal()

    def __init__(self, dataset, label_format: str, out: str, masks_dir: str | None):
        super().__init__()
        self.dataset, self.label_format, self.out, self.masks_dir = dataset, label_format, out, masks_dir
        self.cancel_token = CancelToken()
        self._last_percent = -1

    @Slot()
    def run(self) -> None:
        from core.labels.export import ExportCancelled, export_labels

        try:
            dataset = self.dataset
            if self.masks_dir:
                from core.annotation.overrides import with_mask_overrides

                dataset = with_mask_overrides(dataset, self.masks_dir)
            summary = export_labels(dataset, self.label_format, self.out, progress=self._report,
                                    should_stop=lambda: self.cancel_token.cancelled)
        except ExportCancelled:
            self.cancelled.emit()
        except Exception as error:  # noqa: BLE001 - every failure becomes a message, never a crash
            if not isinstance(error, CnnLyticalError):
                log.error("labels export failed:\n%s", traceback.format_exc())
            self.failed.emit(one_line(error))
        else:
            self.finished.emit(summary)

    def _report(self, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if percent != self._last_percent:  # at most ~100 signals, whatever the dataset's size
            self._last_percent = percent
            self.progress.emit(done, total)


class LabelsExportJob(ThreadJob):
    def __init__(self, worker: LabelsExportWorker, parent: QObject | None = None):
        super().__init__(worker, "labels-export", ("finished", "failed", "cancelled"), parent)


class LabelsExportDialog(QDialog):
    export_finished = Signal(object)   # the summary dict
    export_failed = Signal(str)

    def __init__(self, dataset, masks_dir: str | Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.dataset = dataset
        self.masks_dir = Path(masks_dir) if masks_dir else default_masks_dir(dataset)
        self.job: LabelsExportJob | None = None
        self.setWindowTitle("Export labels")
        self._build()
        self._format_changed()
        self.resize(640, self.sizeHint().height())

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        names = ", ".join(self.dataset.class_names[1:])
        source = self.dataset.root or "built-in demo data"
        summary = QLabel(f"<b>{source}</b><br>{len(self.dataset)} images · {self.dataset.format} · "
                         f"classes: {names}")
        summary.setWordWrap(True)
        layout.addWidget(summary)
        form = QFormLayout()
        self.format_box = QComboBox()
        for name, (text, _) in FORMATS.items():
            self.format_box.addItem(text, name)
        self.format_box.currentIndexChanged.connect(self._format_changed)
        form.addRow("Format:", self.format_box)
        self.layout_label = QLabel()
        self.layout_label.setWordWrap(True)
        self.layout_label.setStyleSheet("color: palette(mid);")
        form.addRow("", self.layout_label)
        self.out_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.out_edit, 1)
        row.addWidget(browse)
        form.addRow("Output folder:", row)
        saved = MaskStore(self.masks_dir).saved_ids()
        self.user_masks = QCheckBox(f"Use my corrected masks ({len(saved)} in {self.masks_dir})")
        self.user_masks.setChecked(bool(saved))
        self.user_masks.setEnabled(bool(saved))
        form.addRow("", self.user_masks)
        layout.addLayout(form)
        self.progress = QProgressBar()
        self.progress.setRange(0, max(1, len(self.dataset)))
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.status = QLabel("A new folder is written; an existing non-empty folder is never overwritten.")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Cancel export", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        self.cancel_button.setEnabled(False)
        layout.addWidget(self.buttons)

    def _format_changed(self) -> None:
        name = self.format_box.currentData()
        self.layout_label.setText(FORMATS[name][1])
        self.out_edit.setText(str(self._default_out(name)))

    def _default_out(self, name: str) -> Path:
        root = Path(self.dataset.root) if self.dataset.root else Path.home() / self.dataset.task
        return root.parent / f"{root.name}-{name}"

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export labels into", str(Path(self.out_edit.text()).parent))
        if folder:
            self.out_edit.setText(str(Path(folder) / Path(self.out_edit.text()).name))

    def start(self) -> None:
        if self.job is not None and self.job.is_running:
            return
        masks_dir = str(self.masks_dir) if self.user_masks.isChecked() else None
        worker = LabelsExportWorker(self.dataset, self.format_box.currentData(), self.out_edit.text().strip(),
                                    masks_dir)
        worker.progress.connect(self._progress)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        worker.cancelled.connect(self._cancelled)
        self.job = LabelsExportJob(worker, self)
        self._set_running(True)
        self.progress.setValue(0)
        self.status.setText("Exporting…")
        self.job.start()

    def cancel(self) -> None:
        if self.job is not None and self.job.is_running:
            self.job.cancel()
            self.status.setText("Cancelling…")

    def _set_running(self, running: bool) -> None:
        self.export_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.format_box.setEnabled(not running)
        self.out_edit.setEnabled(not running)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.status.setText(f"Exporting… {done} of {total} images")

    def _finished(self, summary: dict) -> None:
        self._set_running(False)
        self.progress.setValue(self.progress.maximum())
        skipped = summary["unlabelled_skipped"]
        self.status.setText(f"Wrote {summary['items']} images to {summary['out']}"
                            + (f" ({summary['user_masks']} with your corrected masks)" if summary["user_masks"] else "")
                            + (f"; {skipped} without a mask left out." if skipped else "."))
        self.export_finished.emit(summary)

    def _failed(self, message: str) -> None:
        self._set_running(False)
        self.status.setText(f"<span style='color:#c0392b'>Not exported: {message}</span>")
        self.export_failed.emit(message)

    def _cancelled(self) -> None:
        self._set_running(False)
        self.progress.setValue(0)
        self.status.setText("Cancelled; nothing was written.")

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.job is not None and self.job.is_running:
            self.job.cancel()
            self.job.wait(10_000)
        super().closeEvent(event)


def open_labels_export(window) -> LabelsExportDialog | None:
    """File > Export labels… for ``window``'s current dataset (and its masks folder)."""
    dataset = getattr(window, "dataset", None)
    if dataset is None or dataset.kind != "segmentation":
        window.show_error("Export labels", "Open a dataset with masks first: labels export writes "
                                           "segmentation masks.")
        return None
    store = getattr(getattr(window, "editor", None), "store", None)
    dialog = LabelsExportDialog(dataset, store.masks_dir if store is not None else None, window)
    window.labels_export_dialog = dialog  # keep it alive while it is open (modeless)
    dialog.show()
    return dialog
