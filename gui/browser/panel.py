"""BrowserPanel: split filter, sort order and the thumbnail grid of the open dataset."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QListView, QVBoxLayout,
                               QWidget)

from gui.browser.model import ThumbnailListModel
from core.ordering import ALL_SPLITS, SORT_KEYS, sort_indices, split_indices


class BrowserPanel(QWidget):
    """Emits ``current_changed(dataset_index)`` when the user picks an image and
    ``order_changed()`` when the split filter or sort order changes what is listed."""

    current_changed = Signal(int)
    order_changed = Signal()  # the shown items or their order changed
    scores_wanted = Signal()  # a model order was chosen before the model scored the images

    def __init__(self, thumbnail_size: int = 72, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = ThumbnailListModel(thumbnail_size, self)
        self.split_box = QComboBox()
        self.split_box.setToolTip("Show one split of the dataset")
        self.sort_box = QComboBox()
        self.sort_box.setToolTip("Order of the thumbnails; model orders need a model")
        for key, title in SORT_KEYS.items():
            self.sort_box.addItem(title, key)
        for box in (self.split_box, self.sort_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(6)
        self.count_label = QLabel()
        self.count_label.setObjectName("hint")
        self.view = self._make_view(thumbnail_size)
        self._build_layout()
        self.split_box.currentIndexChanged.connect(self.refresh_order)
        self.sort_box.currentIndexChanged.connect(self._on_sort_chosen)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)

    def _make_view(self, thumbnail_size: int) -> QListView:
        view = QListView()
        view.setModel(self.model)
        view.setViewMode(QListView.ViewMode.IconMode)
        view.setMovement(QListView.Movement.Static)
        view.setResizeMode(QListView.ResizeMode.Adjust)
        view.setUniformItemSizes(True)  # no per-row size queries: fast on thousands of rows
        view.setLayoutMode(QListView.LayoutMode.Batched)
        view.setBatchSize(500)
        view.setIconSize(QSize(thumbnail_size, thumbnail_size))
        self.thumbnail_size = thumbnail_size
        self._set_caption_lines(view, 1)
        view.setSpacing(2)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        return view

    def _set_caption_lines(self, view: QListView, lines: int) -> None:
        """Room under each thumbnail for its caption."""
        line = view.fontMetrics().height()
        view.setGridSize(QSize(self.thumbnail_size + 20, self.thumbnail_size + 10 + lines * line))

    def _build_layout(self) -> None:
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Split"))
        controls.addWidget(self.split_box, 1)
        controls.addWidget(QLabel("Sort"))
        controls.addWidget(self.sort_box, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(controls)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

    # --- API --------------------------------------------------------------------------
    @property
    def dataset(self):
        return self.model.dataset

    def set_dataset(self, dataset) -> None:
        labelled = dataset is not None and dataset.kind == "classification"
        label_row = self.sort_box.findData("label")
        self.sort_box.model().item(label_row).setEnabled(labelled)  # masks have no class order
        if not labelled and self.sort_key == "label":
            self.sort_box.blockSignals(True)
            self.set_sort_key("name")
            self.sort_box.blockSignals(False)
        self.model.set_dataset(dataset)
        self.split_box.blockSignals(True)
        self.split_box.clear()
        self.split_box.addItem("All", ALL_SPLITS)
        for name in ("train", "val", "test"):
            if dataset is not None and len(dataset.splits.get(name, ())):
                self.split_box.addItem(f"{name} ({len(dataset.splits[name])})", name)
        self.split_box.blockSignals(False)
        self.refresh_order()

    def set_scores(self, scores: dict[str, np.ndarray]) -> None:
        """Per-item model scores ("uncertainty", "error"), NaN where not computed."""
        self.model.set_scores(scores)
        if self.sort_key in scores:
            self.refresh_order()

    @property
    def split(self) -> str:
        return self.split_box.currentData() or ALL_SPLITS

    def set_split(self, split: str) -> None:
        position = self.split_box.findData(split)
        if position >= 0:
            self.split_box.setCurrentIndex(position)

    @property
    def sort_key(self) -> str:
        return self.sort_box.currentData() or "name"

    def set_sort_key(self, key: str) -> None:
        self.sort_box.setCurrentIndex(max(0, self.sort_box.findData(key)))

    def visible_indices(self) -> np.ndarray:
        return self.model.order.copy()

    def current_index(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.dataset_index(index.row()) if index.isValid() else None

    def select(self, dataset_index: int) -> bool:
        """Make ``dataset_index`` current (scrolls to it); False if it is filtered out."""
        row = self.model.row_of(dataset_index)
        if row is None:
            return False
        index = self.model.index(row)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.view.scrollTo(index)
        return True

    def refresh_order(self) -> None:
        dataset = self.model.dataset
        if dataset is None:
            self.model.set_order(np.zeros(0, dtype=np.int64))
            self.count_label.setText("No dataset open")
            return
        current = self.current_index()
        indices = split_indices(dataset.splits, len(dataset), self.split)
        names = None
        if self.sort_key == "name":
            names = [dataset.item_id(int(i)) for i in indices]
        order = sort_indices(indices, self.sort_key, names=names, labels=self.model.labels,
                             scores=self.model.scores)
        self.model.set_order(order)
        self.count_label.setText(self._count_text(len(order)))
        self.order_changed.emit()
        if current is None or not self.select(current):
            if len(order):
                self.select(int(order[0]))

    def _on_sort_chosen(self) -> None:
        self.refresh_order()
        if self.sort_key in ("error", "uncertainty") and self.sort_key not in self.model.scores:
            self.scores_wanted.emit()

    def _count_text(self, shown: int) -> str:
        key = self.sort_key
        text = f"{shown:,} images"
        if key in ("error", "uncertainty") and key not in self.model.scores:
            text += " · model order: rank the images (Review queue) first"
        return text

    def _on_current_changed(self, current, _previous) -> None:
        if current.isValid():
            self.current_changed.emit(self.model.dataset_index(current.row()))

    def shutdown(self) -> None:
        self.model.shutdown()
