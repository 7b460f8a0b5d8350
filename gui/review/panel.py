"""ReviewPanel: rank the shown images by the model's uncertainty or error, then walk them.

Next/previous (keys N and P in the main window) move along the queue and
make the browser show that image.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QProgressBar,
                               QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from core.ranking import rank
from gui.review.scorer import ReviewScorer

RANKINGS = {
    "entropy": "Uncertainty (entropy)",
    "max_prob": "Uncertainty (low top probability)",
    "error": "Model error (needs labels)",
}
MAX_LISTED = 1000
NO_MODEL_TEXT = "Train a model or open a run, then rank the images it is least sure about."


class ReviewPanel(QWidget):
    """Signals: ``item_chosen(dataset_index)``, ``scores_ready(dict)`` for the browser."""

    item_chosen = Signal(int)
    scores_ready = Signal(dict)

    def __init__(self, pool: QThreadPool, parent: QWidget | None = None):
        super().__init__(parent)
        self.scorer = ReviewScorer(pool, self)
        self.queue: np.ndarray = np.zeros(0, dtype=np.int64)
        self.position = -1
        self._dataset = self._predictor = None
        self._indices: np.ndarray = np.zeros(0, dtype=np.int64)
        self.ranking_box = QComboBox()
        for key, text in RANKINGS.items():
            self.ranking_box.addItem(text, key)
        self.rank_button = QPushButton("Rank images")
        self.rank_button.setObjectName("primary")
        self.progress = QProgressBar()
        self.progress.hide()
        self.status = QLabel(NO_MODEL_TEXT)
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["#", "Image", "Score", "Predicted", "True"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.header().setStretchLastSection(False)
        self.previous_button, self.next_button = QPushButton("◀ Previous (P)"), QPushButton("Next (N) ▶")
        self._build_layout()
        self.rank_button.clicked.connect(self.start_ranking)
        self.ranking_box.currentIndexChanged.connect(self._rebuild_queue)
        self.list.currentItemChanged.connect(
            lambda item, _previous: self._on_row_changed(
                self.list.indexOfTopLevelItem(item) if item is not None else -1))
        self.previous_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.scorer.progress.connect(self._on_progress)
        self.scorer.finished.connect(self._on_scored)
        self.scorer.failed.connect(self._on_failed)
        self._update_enabled()

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.ranking_box, 1)
        top.addWidget(self.rank_button)
        walk = QHBoxLayout()
        walk.addWidget(self.previous_button)
        walk.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        layout.addLayout(walk)

    # --- inputs -------------------------------------------------------------------------
    def set_source(self, dataset, indices: np.ndarray) -> None:
        """The images to rank: the browser's current list."""
        if dataset is not self._dataset:
            self._reset()
        self._dataset, self._indices = dataset, np.asarray(indices, dtype=np.int64)
        self._update_enabled()

    def set_predictor(self, predictor) -> None:
        self._predictor = predictor
        self.scorer.stop()
        self.progress.hide()
        self._update_enabled()
        if predictor is None:
            self._reset()
            self.status.setText(NO_MODEL_TEXT)
        elif not len(self.queue):
            self.status.setText(f"Rank {len(self._indices):,} images by how unsure the model is.")
        else:
            self.status.setText("The model changed: rank again to refresh the queue.")

    @property
    def ranking(self) -> str:
        return self.ranking_box.currentData()

    def set_ranking(self, key: str) -> None:
        self.ranking_box.setCurrentIndex(max(0, self.ranking_box.findData(key)))

    # --- actions ------------------------------------------------------------------------
    def start_ranking(self) -> None:
        if self._predictor is None or self._dataset is None or not len(self._indices):
            return
        self.progress.show()
        self.rank_button.setEnabled(False)
        self.status.setText(f"Predicting {len(self._indices):,} images…")
        self.scorer.start(self._dataset, self._predictor, self._indices)

    def stop(self) -> None:
        self.scorer.stop()

    def next(self) -> None:
        self._walk(+1)

    def previous(self) -> None:
        self._walk(-1)

    def _walk(self, step: int) -> None:
        if len(self.queue):
            shown = min(len(self.queue), MAX_LISTED)
            row = min(shown - 1, max(0, self.position + step))
            self.list.setCurrentItem(self.list.topLevelItem(row))

    # --- results ------------------------------------------------------------------------
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _on_scored(self, scores: dict) -> None:
        self.progress.hide()
        self._update_enabled()
        self._rebuild_queue()
        self.scores_ready.emit({"uncertainty": scores[self._uncertainty_key()],
                                "error": scores["error"]})

    def _on_failed(self, message: str) -> None:
        self.progress.hide()
        self._update_enabled()
        self.status.setText(f"Ranking failed: {message}")

    def _uncertainty_key(self) -> str:
        return "max_prob" if self.ranking == "max_prob" else "entropy"

    def _rebuild_queue(self) -> None:
        scores = self.scorer.scores.get(self.ranking)
        if scores is None or self._dataset is None:
            return
        scored = self._indices[~np.isnan(scores[self._indices])]
        self.queue = scored[rank(scores[scored])]
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addTopLevelItems([self._entry(position, int(index), scores)
                                    for position, index in enumerate(self.queue[:MAX_LISTED])])
        self.list.blockSignals(False)
        self.position = -1
        unscored = len(self._indices) - len(scored)
        note = f" ({unscored:,} without a label left out)" if unscored else ""
        self.status.setText(f"{len(self.queue):,} images, worst first{note}.")

    def _entry(self, position: int, index: int, scores: np.ndarray) -> QTreeWidgetItem:
        names = self._dataset.class_names
        predicted = self.scorer.scores["predicted"][index]
        label = self.scorer.labels.get(index)
        item = QTreeWidgetItem([
            str(position + 1), self._dataset.item_id(index), f"{scores[index]:.3f}",
            names[int(predicted)] if not np.isnan(predicted) and int(predicted) < len(names) else "",
            names[label] if label is not None and 0 <= label < len(names) else ""])
        for column in (0, 2):
            item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item

    def _on_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.queue):
            self.position = row
            self.item_chosen.emit(int(self.queue[row]))

    def _reset(self) -> None:
        self.scorer.stop()
        self.queue = np.zeros(0, dtype=np.int64)
        self.position = -1
        self.list.clear()

    def _update_enabled(self) -> None:
        ready = self._predictor is not None and self._dataset is not None
        self.rank_button.setEnabled(ready and not self.scorer.running)
        self.ranking_box.setEnabled(True)
