"""ThumbnailListModel: the dataset as a Qt list model, one row per visible item.

Rows map to dataset indices through ``order`` (filter and sort happen in
``gui.browser.ordering``). Thumbnails are asked for when a row is painted and
cached as pixmaps (least recently used dropped first), so memory stays bounded
on large folders and scrolling back is instant. Images with mask edits from the
Annotate tab carry a badge (``gui.browser.edit_marks``).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from gui.browser.edit_marks import EditMarks, badged_icon
from gui.browser.thumbnails import ThumbnailLoader

CACHE_ITEMS = 4000
DATASET_INDEX_ROLE = Qt.ItemDataRole.UserRole + 1
EDIT_STATE_ROLE = Qt.ItemDataRole.UserRole + 2  # "modified" | "saved" | None


class ThumbnailListModel(QAbstractListModel):
    def __init__(self, thumbnail_size: int = 72, parent: QObject | None = None):
        super().__init__(parent)
        self.thumbnail_size = thumbnail_size
        self.loader = ThumbnailLoader(thumbnail_size, parent=self)
        self.loader.loaded.connect(self._on_loaded)
        self.dataset = None
        self.order = np.zeros(0, dtype=np.int64)
        self._row_of: dict[int, int] = {}
        self._cache: OrderedDict[int, QIcon] = OrderedDict()
        self._labels: np.ndarray = np.zeros(0)
        self.scores: dict[str, np.ndarray] = {}
        self.marks = EditMarks()
        self._index_of_id: dict[str, int] | None = None
        self._badged: dict[int, tuple[QIcon, str, QIcon]] = {}  # item -> (base, state, badged)
        self._placeholder = self._make_placeholder()

    # --- feeding ----------------------------------------------------------------
    def set_dataset(self, dataset) -> None:
        self.beginResetModel()
        self.loader.set_dataset(dataset)
        self.dataset = dataset
        self._cache.clear()
        self.scores = {}
        self.marks.clear()
        self._index_of_id, self._badged = None, {}
        self._labels = known_labels(dataset)
        self.order = np.arange(0 if dataset is None else len(dataset), dtype=np.int64)
        self._row_of = {int(index): row for row, index in enumerate(self.order)}
        self.endResetModel()

    def set_order(self, order: np.ndarray) -> None:
        self.beginResetModel()
        self.order = np.asarray(order, dtype=np.int64)
        self._row_of = {int(index): row for row, index in enumerate(self.order)}
        self.endResetModel()

    def set_scores(self, scores: dict[str, np.ndarray]) -> None:
        self.scores = scores
        if len(self.order):
            self.dataChanged.emit(self.index(0), self.index(len(self.order) - 1),
                                  [Qt.ItemDataRole.ToolTipRole])

    def mark_edit(self, item_id: str, state: str, path: str | None = None) -> None:
        """Badge one item's thumbnail: "modified" (unsaved edits) or "saved" (user mask)."""
        self.marks.set(item_id, state, path)
        self._rows_changed([self._index_of(item_id)])

    def set_edit_marks(self, marks: dict[str, tuple[str, str | None]]) -> None:
        """Replace every mark: item id -> (state, mask path or None)."""
        old = [self._index_of(item_id) for item_id in self.marks.states]
        self.marks.clear()
        for item_id, (state, path) in marks.items():
            self.marks.set(item_id, state, path)
        self._rows_changed(old + [self._index_of(item_id) for item_id in marks])

    def _index_of(self, item_id: str) -> int | None:
        if self._index_of_id is None:
            count = 0 if self.dataset is None else len(self.dataset)
            self._index_of_id = {self.dataset.item_id(i): i for i in range(count)}
        return self._index_of_id.get(item_id)

    def _rows_changed(self, items: list[int | None]) -> None:
        rows = [self._row_of[item] for item in items if item is not None and item in self._row_of]
        if rows:
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)),
                                  [Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.DisplayRole,
                                   Qt.ItemDataRole.ToolTipRole, EDIT_STATE_ROLE])

    @property
    def labels(self) -> np.ndarray:
        """Class index per dataset item (NaN while unknown)."""
        return self._labels

    def row_of(self, dataset_index: int) -> int | None:
        return self._row_of.get(int(dataset_index))

    def dataset_index(self, row: int) -> int:
        return int(self.order[row])

    def shutdown(self) -> None:
        self.loader.shutdown()

    # --- Qt model -----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.order)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.dataset is None:
            return None
        item = int(self.order[index.row()])
        if role == Qt.ItemDataRole.DecorationRole:
            return self._pixmap(item)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._caption(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item)
        if role == DATASET_INDEX_ROLE:
            return item
        if role == EDIT_STATE_ROLE:
            return self.marks.state(self.dataset.item_id(item))
        return None

    def _pixmap(self, item: int) -> QIcon:
        icon = self._cache.get(item)
        if icon is not None:
            self._cache.move_to_end(item)
        else:
            self.loader.request(item)
            icon = self._placeholder
        state = self.marks.state(self.dataset.item_id(item)) if self.marks.states else None
        return self._badge(item, icon, state) if state else icon

    def _badge(self, item: int, icon: QIcon, state: str) -> QIcon:
        cached = self._badged.get(item)
        if cached is None or cached[0] is not icon or cached[1] != state:
            cached = (icon, state, badged_icon(icon, state, self.thumbnail_size))
            self._badged[item] = cached
        return cached[2]

    def _caption(self, item: int) -> str:
        item_id = self.dataset.item_id(item)
        name = item_id.rsplit("/", 1)[-1]
        label = self._label_name(item)
        stem, underscore, number = name.rpartition("_")
        if not label and underscore and number.isdigit():
            name = f"{number} · {stem}"  # Carvana's <car>_<view>: the view number survives eliding
        name = self.marks.caption_prefix(item_id) + name
        return f"{label} · {name}" if label else name  # the class first: it survives eliding

    def _label_name(self, item: int) -> str:
        if item >= len(self._labels) or np.isnan(self._labels[item]):
            return ""
        names = self.dataset.class_names
        label = int(self._labels[item])
        return names[label] if 0 <= label < len(names) else str(label)

    def _tooltip(self, item: int) -> str:
        lines = [self.dataset.item_id(item)]
        path = self.dataset.item_path(item)
        if path:
            lines.append(path)
        if self._label_name(item):
            lines.append(f"label: {self._label_name(item)}")
        for key, values in self.scores.items():
            if item < len(values) and not np.isnan(values[item]):
                lines.append(f"{key}: {values[item]:.3f}")
        mark = self.marks.tooltip_line(self.dataset.item_id(item))
        return "\n".join(lines + ([mark] if mark else []))

    def _on_loaded(self, batch: list) -> None:
        rows = []
        for item, image, label in batch:
            pixmap = QPixmap.fromImage(image) if image is not None else None
            self._cache[item] = self._placeholder if pixmap is None else untinted_icon(pixmap)
            if label is not None and item < len(self._labels):
                self._labels[item] = label
            row = self._row_of.get(item)
            if row is not None:
                rows.append(row)
        while len(self._cache) > CACHE_ITEMS:
            self._cache.popitem(last=False)
        if rows:
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)),
                                  [Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.DisplayRole])

    def _make_placeholder(self) -> QIcon:
        pixmap = QPixmap(self.thumbnail_size, self.thumbnail_size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(70, 74, 82))
        painter.drawRoundedRect(4, 4, self.thumbnail_size - 8, self.thumbnail_size - 8, 6, 6)
        painter.end()
        return untinted_icon(pixmap)


def untinted_icon(pixmap: QPixmap) -> QIcon:
    """An icon that looks the same selected: the selection frame marks it, colours stay true."""
    icon = QIcon(pixmap)
    icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon


def known_labels(dataset) -> np.ndarray:
    """Class labels known without decoding images (packed formats, demo data); else NaN."""
    count = 0 if dataset is None else len(dataset)
    labels = np.full(count, np.nan)
    if dataset is None or dataset.kind != "classification":
        return labels
    targets = getattr(dataset, "targets", None)
    if targets is None:
        targets = getattr(dataset, "labels", None)  # folder and packed readers
    if targets is not None and len(targets) == count:
        try:
            labels[:] = np.asarray(targets, dtype=np.float64)
        except (TypeError, ValueError):
            pass
    return labels
