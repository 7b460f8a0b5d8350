"""MaskEditor: the Annotate tab. Draw and correct masks, save them, retrain on them.

Holds one core MaskDocument per image being edited (so each image keeps its
own undo history), a journal that makes every edit survive a crash, and the
store that writes masks into the user's masks folder. Layout: tools in a
vertical bar beside the canvas, options and Save / Train in a row above it
that wraps instead of scrolling, so the canvas gets the width and height.
Signals: ``mask_modified(item_id)`` when an image gets unsaved edits,
``mask_unmodified(item_id)`` when undo brings it back to the saved mask,
``mask_saved(item_id, path)``, ``train_on_corrections_requested(masks_dir)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QSizePolicy, QVBoxLayout,
                               QWidget)

from core.annotation import (Journal, MaskDocument, MaskStore, as_labels, default_masks_dir, discard, fill_holes,
                             find_recoverable, keep_largest_component, mask_from_prediction, names_for)
from core.annotation.recovery import recovered_document
from core.annotation.storage import user_data_dir
from core.errors import CnnLyticalError
from gui.annotation.canvas import MaskCanvas
from gui.annotation.layers import PredictionLayer
from gui.annotation.scribble_assist import ScribbleAssist
from gui.annotation.toolbar import EditorOptions, EditorToolBar

BINARY_CLASSES = ["background", "object"]


class RecoveryBanner(QFrame):
    """'Unsaved edits from a crashed session' with Recover / Discard buttons."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet("RecoveryBanner { background: #5a4a12; } QLabel { color: white; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.text = QLabel()
        self.text.setWordWrap(True)  # a long folder path wraps; the buttons stay on screen
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.recover_button = QPushButton("Recover")
        self.discard_button = QPushButton("Discard")
        layout.addWidget(self.text, 1)
        layout.addWidget(self.recover_button)
        layout.addWidget(self.discard_button)
        self.setVisible(False)


def ask_save_discard_cancel(parent, text: str, details: str) -> QMessageBox.StandardButton:
    """The close prompt (a function so tests can answer it)."""
    buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
               | QMessageBox.StandardButton.Cancel)
    box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved masks", text, buttons, parent)
    box.setInformativeText(details)
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    return QMessageBox.StandardButton(box.exec())


class MaskEditor(QWidget):
    mask_modified = Signal(str)
    mask_unmodified = Signal(str)
    mask_saved = Signal(str, str)
    train_on_corrections_requested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.class_names = list(BINARY_CLASSES)
        self.store: MaskStore | None = None
        self.journal: Journal | None = None
        self.documents: dict[str, MaskDocument] = {}
        self.recoverable: list[str] = []
        self._reported_modified: set[str] = set()  # ids already announced through mask_modified
        self.item_id: str | None = None
        self.prediction: np.ndarray | None = None
        self.canvas = MaskCanvas(self)
        self.toolbar = EditorToolBar(self)
        self.options = EditorOptions(self)
        self.banner = RecoveryBanner(self)
        self.status_label = QLabel("No image")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.setContentsMargins(8, 3, 8, 3)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.options.set_commands(self.toolbar.save, self.toolbar.train)
        self.scribbles = ScribbleAssist(self.canvas, self)  # scribble assist
        self.options.layout().addWidget(self.scribbles.bar)  # scribble assist
        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        middle.addWidget(self.toolbar)
        middle.addWidget(self.canvas, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.options)
        layout.addLayout(middle, 1)
        layout.addWidget(self.status_label)
        self.options.set_class_names(self.class_names)
        self._connect()

    def _connect(self) -> None:
        bar, options, canvas = self.toolbar, self.options, self.canvas
        self.addActions(bar.shortcut_actions() + [self.scribbles.accept_action])  # scribble assist
        self.scribbles.accepted.connect(lambda: self.set_tool("brush"))  # scribble assist: refine with the brush
        bar.tool_chosen.connect(self.set_tool)
        bar.undo.triggered.connect(self.undo)
        bar.redo.triggered.connect(self.redo)
        bar.accept_prediction.triggered.connect(self.accept_prediction)
        bar.keep_largest.triggered.connect(lambda: self._clean_up(keep_largest_component))
        bar.fill_holes.triggered.connect(lambda: self._clean_up(fill_holes))
        bar.save.triggered.connect(self.save)
        bar.train.triggered.connect(self.request_training)
        bar.toggle_overlays.triggered.connect(self.toggle_overlays)
        bar.smaller.triggered.connect(lambda: options.size.setValue(max(1, int(options.size.value() / 1.25))))
        bar.bigger.triggered.connect(lambda: options.size.setValue(int(options.size.value() * 1.25) + 1))
        options.size.valueChanged.connect(canvas.set_brush_size)
        options.class_box.currentIndexChanged.connect(self._class_changed)
        options.tolerance.valueChanged.connect(lambda v: setattr(canvas, "wand_tolerance", int(v)))
        options.threshold.valueChanged.connect(self._threshold_changed)
        for control in (options.show_label, options.show_prediction):
            control.toggled.connect(self._overlays_changed)
        for control in (options.label_opacity, options.prediction_opacity):
            control.valueChanged.connect(self._overlays_changed)
        canvas.edited.connect(self._after_edit)
        canvas.status.connect(self._show_pixel)
        canvas.pixel_info = self._show_pixel
        self.banner.recover_button.clicked.connect(self.recover_journal)
        self.banner.discard_button.clicked.connect(self.discard_journal)

    # ---- public interface ------------------------------------------------------------------
    @property
    def document(self) -> MaskDocument | None:
        return self.documents.get(self.item_id) if self.item_id is not None else None

    @property
    def masks_dir(self) -> Path:
        return self._ensure_store().masks_dir

    def set_dataset(self, dataset, masks_dir: str | Path | None = None) -> None:
        """Edit masks of ``dataset``; user masks go to ``masks_dir`` (default beside the dataset)."""
        names = list(getattr(dataset, "class_names", []) or [])
        if getattr(dataset, "kind", "segmentation") == "segmentation" and len(names) >= 2:
            self.class_names = names
        self.options.set_class_names(self.class_names)
        self._open_store(Path(masks_dir) if masks_dir else default_masks_dir(dataset))

    def set_item(self, item_id: str, image: np.ndarray, mask: np.ndarray | None,
                 prediction: np.ndarray | None) -> None:
        """Show an image for editing; a saved user mask wins over ``mask`` (the dataset's)."""
        self._ensure_store()
        self._drop_unmodified_documents(keep=item_id)
        document = self.documents.get(item_id)
        if document is None or document.shape != image.shape[:2]:
            document = self._new_document(item_id, image.shape[:2], mask)
            self.documents[item_id] = document
        self.item_id = item_id
        self.prediction = None if prediction is None else np.asarray(prediction, np.float32)
        self.canvas.set_content(image, document, self.prediction, self._threshold())
        self.scribbles.set_item(item_id, image)  # scribble assist
        self.options.set_colours(document.palette[min(self.canvas.class_value, len(document.palette) - 1)],
                                 PredictionLayer.COLOUR_RGB)
        self.toolbar.accept_prediction.setEnabled(self.prediction is not None)
        self.options.show_prediction.setEnabled(self.prediction is not None)
        self._update_status()

    def modified_ids(self) -> list[str]:
        return [item_id for item_id, doc in self.documents.items() if doc.modified]

    def set_tool(self, tool: str) -> None:
        self.canvas.set_tool(tool)
        self.toolbar.check_tool(tool)

    def save(self) -> str | None:
        """Write the current mask (Ctrl+S); returns the file path or None on failure."""
        return None if self.item_id is None else self._save_item(self.item_id)

    def save_all(self) -> bool:
        return all(self._save_item(item_id) is not None for item_id in self.modified_ids())

    def undo(self) -> None:
        if self.canvas.tool == "scribble" and self.scribbles.undo():  # scribble assist: strokes have their own undo
            return
        if self.document is not None and self.document.undo() is not None:
            self._after_edit()

    def redo(self) -> None:
        if self.canvas.tool == "scribble" and self.scribbles.redo():  # scribble assist
            return
        if self.document is not None and self.document.redo() is not None:
            self._after_edit()

    def accept_prediction(self) -> None:
        """Make the thresholded prediction the label (key A); one undo step."""
        if self.document is not None and self.prediction is not None:
            if self.document.replace(mask_from_prediction(self.prediction, self._threshold())) is not None:
                self._after_edit()

    def toggle_overlays(self) -> None:
        """Tab: show the prediction alone, then the label alone, and so on."""
        show_label = not self.options.show_label.isChecked() or self.prediction is None
        self.options.show_label.setChecked(show_label)
        self.options.show_prediction.setChecked(not show_label)

    def request_training(self) -> None:
        """Save every modified mask, then ask for fine-tuning on the masks folder."""
        if self.save_all():
            self.train_on_corrections_requested.emit(str(self.masks_dir))

    def confirm_close(self, parent=None) -> bool:
        """Before the window closes: Save / Discard / Cancel unsaved masks; False means Cancel."""
        ids = self.modified_ids()
        if not ids:
            return True
        count = len(ids)
        answer = ask_save_discard_cancel(
            parent or self, f"{count} image{'s' * (count != 1)} ha{'ve' if count != 1 else 's'} unsaved mask edits.",
            f"Save writes them to {self.masks_dir}. Discard drops them for good.")
        if answer == QMessageBox.StandardButton.Save:
            return self.save_all()
        if answer == QMessageBox.StandardButton.Discard:
            for item_id in ids:
                self.journal.clear(item_id)
                self.documents.pop(item_id, None)
            return True
        return False

    def recover_journal(self) -> None:
        """Bring back the unsaved edits a crashed session left in the journal, as undo steps."""
        for item_id in self.recoverable:
            document = recovered_document(self.masks_dir, item_id, self.class_names)
            if document is None:
                continue
            self._use_class_names(document.class_names)
            document.recorder = self.journal
            self.documents[item_id] = document
            self._reported_modified.add(item_id)
            self.mask_modified.emit(item_id)
        self.recoverable = []
        self.banner.setVisible(False)
        if self.item_id in self.documents and self.canvas.image is not None:
            self.set_item(self.item_id, self.canvas.image, None, self.prediction)

    def discard_journal(self) -> None:
        for item_id in self.recoverable:
            discard(self.masks_dir, item_id)
        self.recoverable = []
        self.banner.setVisible(False)

    # ---- internals ---------------------------------------------------------------------------
    def _open_store(self, masks_dir: Path) -> None:
        """Use ``masks_dir``; unsaved edits of another folder stay in its journal, offered next time."""
        if self.store is not None and self.store.masks_dir == masks_dir:
            return
        if self.journal is not None:
            self.journal.close()
        self.store = MaskStore(masks_dir)
        self.journal = Journal(masks_dir, background=True)  # fsync off the UI thread
        self.scribbles.set_masks_dir(masks_dir)  # scribble assist: scribbles are saved beside the masks
        self.documents.clear()
        self._reported_modified.clear()
        self.item_id = None
        self.recoverable = find_recoverable(masks_dir)
        count = len(self.recoverable)
        self.banner.text.setText(f"Unsaved edits of {count} image{'s' * (count != 1)} survived the last session "
                                 f"(in {masks_dir}).")
        self.banner.setVisible(count > 0)

    def _ensure_store(self) -> MaskStore:
        if self.store is None:
            self._open_store(user_data_dir() / "annotations" / "default" / "masks")
        return self.store

    def _new_document(self, item_id: str, shape, mask: np.ndarray | None) -> MaskDocument:
        binary = len(self.class_names) == 2
        labels = self.store.load(item_id, binary)
        if labels is None or labels.shape != tuple(shape):
            try:
                labels = as_labels(mask, shape, binary)
            except ValueError as error:  # a dataset mask of another size: start empty, say why
                self.status_label.setText(f"{item_id}: {error}; starting from an empty mask")
                labels = as_labels(None, shape, binary)
        self._use_class_names(names_for(labels, self.class_names))
        return MaskDocument(item_id, labels, self.class_names, recorder=self.journal)

    def _use_class_names(self, names: list[str]) -> None:
        if names != self.class_names:
            self.class_names[:] = names
            self.options.set_class_names(self.class_names)

    def _drop_unmodified_documents(self, keep: str) -> None:
        """Free the memory of images left without unsaved edits (their history goes too)."""
        for item_id in [k for k, d in self.documents.items() if k != keep and not d.modified]:
            del self.documents[item_id]

    def _save_item(self, item_id: str) -> str | None:
        document = self.documents.get(item_id)
        if document is None:
            return None
        try:
            path = self.store.save(item_id, document.mask, document.binary)
            self.scribbles.save(item_id)  # scribble assist
        except (CnnLyticalError, OSError) as error:
            self.status_label.setText(f"Could not save {item_id}: {error}")
            return None
        self.journal.clear(item_id)
        document.mark_saved()
        self._reported_modified.discard(item_id)
        self.mask_saved.emit(item_id, str(path))
        self._update_status()
        return str(path)

    def _after_edit(self) -> None:
        document = self.document
        if document is None:
            return
        item_id = document.item_id
        if document.modified and item_id not in self._reported_modified:
            self._reported_modified.add(item_id)
            self.mask_modified.emit(item_id)
        elif not document.modified and item_id in self._reported_modified:
            self._reported_modified.discard(item_id)
            self.journal.clear(item_id)  # back at the saved mask: nothing to recover
            self.mask_unmodified.emit(item_id)
        self._update_status()

    def _clean_up(self, function) -> None:
        document = self.document
        if document is not None and document.replace(function(document.mask, self.canvas.class_value)) is not None:
            self._after_edit()

    def _threshold(self) -> float:
        return self.options.threshold.value() / 100

    def _threshold_changed(self) -> None:
        self.scribbles.set_threshold(self._threshold())  # scribble assist
        if self.canvas.prediction_layer is not None:
            self.canvas.prediction_layer.set_threshold(self._threshold())

    def _class_changed(self) -> None:
        value = self.options.class_box.currentData()
        self.canvas.class_value = int(value) if value is not None else 1

    def _overlays_changed(self) -> None:
        options, canvas = self.options, self.canvas
        canvas.show_label = options.show_label.isChecked()
        canvas.show_prediction = options.show_prediction.isChecked()
        canvas.label_opacity = options.label_opacity.value() / 100
        canvas.prediction_opacity = options.prediction_opacity.value() / 100
        canvas.apply_visibility()

    def _show_pixel(self, text: str) -> None:
        self._update_status(text)

    def _update_status(self, pixel: str = "") -> None:
        document = self.document
        if document is None:
            self.status_label.setText("No image")
            return
        mark = "  \u25cf unsaved" if document.modified else "  saved"
        steps = f"{document.history.depth} undo step{'s' * (document.history.depth != 1)}"
        self.status_label.setText(f"{document.item_id}{mark}  |  {steps}  |  masks: {self.masks_dir}"
                                  + (f"  |  {pixel}" if pixel else ""))
