"""ScribbleAssist: the Annotate tab's live assist (scribbles in, probability overlay out).

The Scribble tool (gui/annotation/scribble_tool.py) paints object / background
strokes into a scribble document per image (its own undo, its own journal,
saved beside the masks). When a stroke ends, the core ScribbleAssistant
retrains and predicts in a single worker thread; a newer request replaces a
waiting one and results of superseded requests are dropped (TaskRunner's
"latest wins" plus a generation check for the image and its strokes), so the
UI thread only swaps the overlay in. Accept makes the thresholded overlay the
label as one undo step and hands over to the brush for refining.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QToolButton, QWidget

from core.assist import BACKGROUND, OBJECT, UNMARKED, AssistSettings, ScribbleAssistant, ScribbleStore
from core.assist.scribbles import scribble_document
from core.errors import CnnLyticalError
from gui.annotation.layers import LabelLayer, PredictionLayer
from gui.shortcuts import make_action
from gui.workers import TaskRunner, single_thread_pool

SCRIBBLE_PALETTE = np.array([(0, 0, 0), (235, 50, 50), (40, 220, 90)], np.uint8)  # unmarked, background, object
SCRIBBLE_Z, ASSIST_Z = 3.0, 1.5  # scribbles over the label; the assist overlay under it


class AssistLayer(PredictionLayer):
    """The assist's probability where >= threshold, in its own colour."""

    COLOUR_RGB = (0, 190, 255)


class AssistBar(QWidget):
    """Options-row controls: show the assist, tidy it, accept it, and what it is doing."""

    def __init__(self, accept, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.show_assist = QCheckBox("Assist", checked=True)
        self.show_assist.setToolTip("Show the live assist learned from your scribbles (Scribble tool, S)")
        self.tidy = QCheckBox("Tidy", checked=True)
        self.tidy.setToolTip("Keep only the parts your object strokes touch (the largest part on an image "
                             "without object strokes) and fill their holes "
                             "(switch off for images with many separate objects)")
        self.accept_button = QToolButton()
        self.accept_button.setDefaultAction(accept)
        self.accept_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.state = QLabel("")
        self.state.setObjectName("hint")
        for widget in (self.show_assist, self.tidy, self.accept_button, self.state):
            layout.addWidget(widget)


class ScribbleAssist(QObject):
    """Owned by the MaskEditor; the Scribble tool finds it as ``canvas.scribble_assist``.

    Signals: ``overlay_ready(item_id)`` after a new overlay is shown,
    ``busy_changed(bool)``, ``failed(str)``, ``accepted()`` after Accept,
    ``trained_changed(bool)`` when the assist starts (or stops) having a forest.
    """

    overlay_ready = Signal(str)
    busy_changed = Signal(bool)
    failed = Signal(str)
    accepted = Signal()
    trained_changed = Signal(bool)

    def __init__(self, canvas, parent=None, settings: AssistSettings = AssistSettings()):
        super().__init__(parent)
        self.canvas = canvas
        canvas.scribble_assist = self
        self.assistant = ScribbleAssistant(settings)   # touched only in the worker thread
        self.store: ScribbleStore | None = None
        self.documents: dict[str, object] = {}         # item id -> scribble MaskDocument
        self.item_id: str | None = None
        self.image: np.ndarray | None = None
        self.probability: np.ndarray | None = None
        self.trained = False
        self.generation = 0                            # bumped by every change a result must reflect
        self.scribble_layer: LabelLayer | None = None
        self.assist_layer: AssistLayer | None = None
        self.threshold = 0.5
        self.opacity = 0.45
        self.last_seconds = 0.0
        self.accept_action = make_action(parent, "annotate.accept_assist", self.accept)
        self.accept_action.setEnabled(False)
        self.bar = AssistBar(self.accept_action)
        self.bar.show_assist.toggled.connect(self._apply_visibility)
        self.bar.tidy.toggled.connect(lambda _checked: self.request_update())
        self._pool = single_thread_pool(self)
        self.runner = TaskRunner(self._pool, self)
        self.runner.finished.connect(self._on_result)
        self.runner.failed.connect(self._on_failed)
        self.runner.busy_changed.connect(self.busy_changed)
        self._requested_at = 0.0

    # ---- images and storage ----------------------------------------------------------------
    def set_masks_dir(self, masks_dir: str | Path) -> None:
        """Scribbles live beside these masks; another folder starts over (its strokes stay on disk)."""
        folder = Path(masks_dir)
        if self.store is not None and self.store.folder.parent == folder:
            return
        if self.store is not None:
            self.store.close()
        self.store = ScribbleStore(folder)
        self.documents.clear()

    @property
    def document(self):
        return self.documents.get(self.item_id) if self.item_id is not None else None

    def set_item(self, item_id: str, image: np.ndarray) -> None:
        """Show this image's scribbles (restored from disk) and the assist's view of it."""
        self.generation += 1
        self.item_id, self.image = item_id, image
        for other in [k for k, d in self.documents.items() if k != item_id and not d.modified and not d.mask.any()]:
            del self.documents[other]  # nothing drawn there: free the map
        document = self.documents.get(item_id)
        if document is None or document.shape != image.shape[:2]:
            document = self._load_document(item_id, image.shape[:2])
            self.documents[item_id] = document
        self._show_layers(document)
        self.probability = None
        self._set_overlay(None)
        if document.mask.any() or self.trained:
            self.request_update()

    def _load_document(self, item_id: str, shape):
        if self.store is None:
            return scribble_document(item_id, None, shape)
        try:
            return self.store.document(item_id, shape)
        except (CnnLyticalError, OSError) as error:
            self.failed.emit(f"Scribbles of {item_id} not restored: {error}")
            return scribble_document(item_id, None, shape, recorder=self.store.journal)

    def _show_layers(self, document) -> None:
        scene = self.canvas.scene()
        if self.scribble_layer is not None:
            scene.removeItem(self.scribble_layer)
            for old in self.documents.values():
                old.remove_listener(self.scribble_layer.update_region)
        self.scribble_layer = LabelLayer(document.mask, SCRIBBLE_PALETTE)
        self.scribble_layer.setZValue(SCRIBBLE_Z)
        self.scribble_layer.setOpacity(0.85)
        scene.addItem(self.scribble_layer)
        document.add_listener(self.scribble_layer.update_region)

    def save(self, item_id: str) -> Path | None:
        """Write an image's scribbles if they changed (with its mask); raises like MaskStore.save."""
        document = self.documents.get(item_id)
        if document is None or self.store is None or not document.modified:
            return None
        path = self.store.save(item_id, document.mask)
        document.mark_saved()
        return path

    # ---- strokes -------------------------------------------------------------------------------
    def begin_stroke(self, point, background: bool = False, erase: bool = False) -> None:
        document = self.document
        if document is None:
            return
        value = UNMARKED if erase else BACKGROUND if background else OBJECT
        document.begin_stroke(value, max(0.5, self.canvas.brush_size / 2))
        document.extend_stroke(point)

    def extend_stroke(self, point) -> None:
        document = self.document
        if document is not None and document.stroke_active:
            document.extend_stroke(point)

    def end_stroke(self) -> None:
        document = self.document
        if document is not None and document.stroke_active and document.end_stroke() is not None:
            self.request_update()

    def undo(self) -> bool:
        """Undo the last scribble stroke (the Scribble tool's own undo); False when none."""
        document = self.document
        if document is None or document.undo() is None:
            return False
        self.request_update()
        return True

    def redo(self) -> bool:
        document = self.document
        if document is None or document.redo() is None:
            return False
        self.request_update()
        return True

    # ---- the worker ----------------------------------------------------------------------------
    def request_update(self) -> None:
        """Retrain on every image's strokes and predict this image, off the UI thread."""
        document = self.document
        if document is None or self.image is None:
            return
        self.generation += 1
        request = (self.generation, self.item_id, self.image, document.mask.copy(), self.bar.tidy.isChecked())
        self._requested_at = time.perf_counter()
        self.bar.state.setText("assist: learning…")
        self.runner.submit(lambda: self._work(*request))

    def _work(self, generation: int, item_id: str, image: np.ndarray, scribbles: np.ndarray, tidy: bool):
        """Runs in the worker thread: the only place the core assistant is used."""
        assistant = self.assistant
        assistant.set_scribbles(item_id, image, scribbles)
        trained = assistant.train()
        probability = assistant.predict(item_id, image, tidy=tidy) if trained else None
        return generation, item_id, trained, probability, len(assistant.scribbled_ids)

    def _on_result(self, result) -> None:
        generation, item_id, trained, probability, images = result
        if trained != self.trained:
            self.trained = trained
            self.trained_changed.emit(trained)
        if generation != self.generation or item_id != self.item_id:
            return  # the image or its strokes changed since: a newer request is on its way
        self.last_seconds = time.perf_counter() - self._requested_at
        self.probability = probability
        self._set_overlay(probability)
        if trained:
            self.bar.state.setText(f"assist: {images} image{'s' * (images != 1)}, {self.last_seconds:.1f} s")
        else:
            self.bar.state.setText("assist: mark object (drag) and background (Shift-drag)")
        self.overlay_ready.emit(item_id)

    def _on_failed(self, message: str) -> None:
        self.bar.state.setText("assist failed")
        self.failed.emit(message)

    # ---- overlay and accept ------------------------------------------------------------------
    def _set_overlay(self, probability: np.ndarray | None) -> None:
        scene = self.canvas.scene()
        if self.assist_layer is not None:
            scene.removeItem(self.assist_layer)
            self.assist_layer = None
        if probability is not None:
            self.assist_layer = AssistLayer(probability, self.threshold)
            self.assist_layer.setZValue(ASSIST_Z)
            scene.addItem(self.assist_layer)
        self.accept_action.setEnabled(probability is not None)
        self._apply_visibility()

    def set_threshold(self, threshold: float) -> None:
        self.threshold = float(threshold)
        if self.assist_layer is not None:
            self.assist_layer.set_threshold(self.threshold)

    def _apply_visibility(self) -> None:
        if self.assist_layer is not None:
            self.assist_layer.setOpacity(self.opacity)
            self.assist_layer.setVisible(self.bar.show_assist.isChecked())

    def accepted_labels(self, mask: np.ndarray, class_value: int) -> np.ndarray | None:
        """The label the overlay stands for: ``class_value`` where probability >= threshold.

        Other classes of a multi-class mask stay where the overlay is below threshold.
        """
        if self.probability is None or self.probability.shape != mask.shape:
            return None
        inside = self.probability >= self.threshold
        labels = np.where(mask == class_value, 0, mask).astype(np.uint8)
        labels[inside] = class_value
        return labels

    def accept(self) -> None:
        """Turn the overlay into the label (one undo step), then switch to the brush to refine."""
        document = self.canvas.document
        if document is None:
            return
        labels = self.accepted_labels(document.mask, self.canvas.class_value)
        if labels is not None and document.replace(labels) is not None:
            self.canvas.notify_edited()
        self.accepted.emit()

    def predictor(self):
        """The assist as a model for the review queue (None until it has learned something).

        A snapshot: later strokes train a new forest; ask again to rank with it.
        """
        return self.assistant.snapshot()

    def shutdown(self) -> None:
        """Forget pending work and wait for the running update (window close, tests)."""
        self.runner.cancel_pending()
        self._pool.waitForDone()
        if self.store is not None:
            self.store.close()
