"""Where float32 and int8 disagree, for one image, before the user ships the int8 file.

Masks: the image dimmed, pixels both models call object tinted blue, pixels
only float32 calls object orange, only int8 magenta (zoom in with the wheel).
Classification: the two probability bar charts side by side, the image's id and true
label, and a list of every scored image (id, label, both predictions) with "Changed only"
and Previous/Next changed to jump straight to the images whose class int8 changed.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QStackedWidget, QVBoxLayout, QWidget)

from gui.images import thumbnail, to_qimage
from gui.plotting import pg
from gui.prediction.chart import ProbabilityChart

BOTH = (70, 150, 255)
FLOAT_ONLY = (255, 150, 0)
INT8_ONLY = (255, 0, 200)
THUMBNAIL_SIZE = 112  # the classified image, shown beside its two bar charts


def disagreement_image(image: np.ndarray, float_mask: np.ndarray, int8_mask: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 3): the image dimmed, agreement tinted, each side's extra pixels in full colour."""
    rgb = np.asarray(image)
    rgb = np.repeat(rgb[..., None], 3, axis=2) if rgb.ndim == 2 else rgb[..., :3]
    out = rgb.astype(np.float32) * 0.55
    both, float_only, int8_only = float_mask & int8_mask, float_mask & ~int8_mask, int8_mask & ~float_mask
    out[both] = out[both] * 0.5 + np.array(BOTH, np.float32) * 0.5
    out[float_only] = FLOAT_ONLY
    out[int8_only] = INT8_ONLY
    return np.clip(out, 0, 255).astype(np.uint8)


def _swatch(color: tuple[int, int, int], text: str) -> str:
    return f'<span style="color: rgb{color}">&#9632;</span> {text}'


def _class_name(class_names: list[str], index: int | None) -> str:
    if index is None:
        return "?"
    return class_names[index] if 0 <= index < len(class_names) else str(index)


def entry_text(entry: dict, class_names: list[str]) -> str:
    """One list row: id, true label, both predictions; a changed one starts with ≠."""
    mark = "≠" if entry["fp32"] != entry["int8"] else "  "
    return (f"{mark} {entry['id']} — true {_class_name(class_names, entry['label'])} · "
            f"float32 {_class_name(class_names, entry['fp32'])} · "
            f"int8 {_class_name(class_names, entry['int8'])}")


class DisagreementView(QWidget):
    """``show_masks`` / ``show_probabilities`` after both models predicted the same image;
    ``set_entries`` lists the report's scored images and ``entry_chosen`` asks for one."""

    entry_chosen = Signal(dict)   # {"index", "id", "label", "fp32", "int8"} the user picked

    def __init__(self, parent=None):
        super().__init__(parent)
        self.caption = QLabel("Export with int8 to compare float32 and int8 on an image.")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.pages = QStackedWidget()
        self.mask_plot = pg.GraphicsLayoutWidget()
        self.mask_box = self.mask_plot.addViewBox(lockAspect=True, invertY=True)
        self.mask_item = pg.ImageItem(axisOrder="row-major")
        self.mask_box.addItem(self.mask_item)
        self.charts = QWidget()
        charts_layout = QHBoxLayout(self.charts)
        charts_layout.setContentsMargins(0, 0, 0, 0)
        self.thumbnail = QLabel()
        self.thumbnail.setFixedSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE)
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        charts_layout.addWidget(self.thumbnail, 0, Qt.AlignmentFlag.AlignTop)
        self.float_chart, self.int8_chart = ProbabilityChart(), ProbabilityChart()
        for chart in (self.float_chart, self.int8_chart):
            charts_layout.addWidget(chart)
        self.pages.addWidget(self.mask_plot)
        self.pages.addWidget(self.charts)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.caption)
        layout.addWidget(self._build_entry_panel())
        self.changed_pixels = 0
        self.composite: np.ndarray | None = None
        self.entries: list[dict] = []
        self.class_names: list[str] = []

    def _build_entry_panel(self) -> QWidget:
        self.entry_panel = QWidget()
        self.changed_only = QCheckBox("Changed only")
        self.changed_only.setToolTip("List only the images whose class int8 changed")
        self.changed_only.toggled.connect(self._filter_entries)
        self.previous_changed = QPushButton("◀ Previous changed")
        self.next_changed = QPushButton("Next changed ▶")
        self.previous_changed.clicked.connect(lambda: self.step_changed(-1))
        self.next_changed.clicked.connect(lambda: self.step_changed(1))
        self.changed_count = QLabel()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.changed_only, self.previous_changed, self.next_changed):
            row.addWidget(widget)
        row.addWidget(self.changed_count, 1)
        self.entry_list = QListWidget()
        self.entry_list.setMaximumHeight(150)
        self.entry_list.currentRowChanged.connect(self._row_chosen)
        column = QVBoxLayout(self.entry_panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.entry_list)
        self.entry_panel.hide()
        return self.entry_panel

    # --- the list of scored images -------------------------------------------------------------
    def set_entries(self, entries: list[dict], class_names: list[str]) -> None:
        """The report's per-image classification results; an empty list hides the panel."""
        self.entries, self.class_names = list(entries), list(class_names)
        self.entry_list.blockSignals(True)
        self.entry_list.clear()
        for entry in self.entries:
            item = QListWidgetItem(entry_text(entry, self.class_names))
            if entry["fp32"] != entry["int8"]:
                item.setForeground(QColor(*INT8_ONLY))
            self.entry_list.addItem(item)
        self.entry_list.setCurrentRow(-1)
        self.entry_list.blockSignals(False)
        changed = len(self.changed_rows())
        self.changed_count.setText(f"{changed} of {len(self.entries)} images changed class")
        for button in (self.previous_changed, self.next_changed):
            button.setEnabled(changed > 0)
        self._filter_entries()
        self.entry_panel.setVisible(bool(self.entries))

    def changed_rows(self) -> list[int]:
        return [row for row, entry in enumerate(self.entries) if entry["fp32"] != entry["int8"]]

    def visible_rows(self) -> list[int]:
        return [row for row in range(self.entry_list.count()) if not self.entry_list.item(row).isHidden()]

    def step_changed(self, step: int) -> None:
        """Select the next (``step`` 1) or previous (-1) changed image, wrapping around."""
        changed = self.changed_rows()
        if not changed:
            return
        current = self.entry_list.currentRow()
        if step > 0:
            target = next((row for row in changed if row > current), changed[0])
        else:
            target = next((row for row in reversed(changed) if row < current), changed[-1])
        self.entry_list.setCurrentRow(target)

    def _filter_entries(self) -> None:
        only_changed = self.changed_only.isChecked()
        for row, entry in enumerate(self.entries):
            self.entry_list.item(row).setHidden(only_changed and entry["fp32"] == entry["int8"])

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            self.entry_chosen.emit(dict(self.entries[row]))

    def show_message(self, text: str) -> None:
        self.caption.setText(text)

    def show_masks(self, image: np.ndarray, float_probabilities: np.ndarray,
                   int8_probabilities: np.ndarray, threshold: float = 0.5) -> None:
        float_mask, int8_mask = float_probabilities >= threshold, int8_probabilities >= threshold
        self.composite = disagreement_image(image, float_mask, int8_mask)
        self.changed_pixels = int(np.count_nonzero(float_mask != int8_mask))
        self.mask_item.setImage(self.composite, levels=(0, 255))
        self.mask_box.autoRange(padding=0)
        self.pages.setCurrentWidget(self.mask_plot)
        share = self.changed_pixels / float_mask.size
        self.caption.setText(
            f"<b>{self.changed_pixels:,} pixels ({share:.2%}) differ</b> &nbsp; "
            + " &nbsp; ".join([_swatch(BOTH, "object in both"), _swatch(FLOAT_ONLY, "float32 only"),
                               _swatch(INT8_ONLY, "int8 only")]))

    def show_probabilities(self, float_probabilities: np.ndarray, int8_probabilities: np.ndarray,
                           class_names: list[str], true_label: int | None = None,
                           image: np.ndarray | None = None, item_id: str | None = None) -> None:
        if image is not None:
            self.thumbnail.setPixmap(QPixmap.fromImage(to_qimage(thumbnail(image, THUMBNAIL_SIZE))))
        self.float_chart.set_probabilities(float_probabilities, class_names, true_label)
        self.int8_chart.set_probabilities(int8_probabilities, class_names, true_label)
        self.float_chart.setTitle("float32")
        self.int8_chart.setTitle("int8")
        self.pages.setCurrentWidget(self.charts)
        top_float, top_int8 = int(np.argmax(float_probabilities)), int(np.argmax(int8_probabilities))
        largest = float(np.max(np.abs(float_probabilities - int8_probabilities)))
        name = lambda index: class_names[index] if index < len(class_names) else str(index)  # noqa: E731
        verdict = (f"both predict <b>{name(top_float)}</b>" if top_float == top_int8 else
                   f"<b>they disagree</b>: float32 says {name(top_float)}, int8 says {name(top_int8)}")
        about = ""
        if item_id is not None or true_label is not None:
            about = (f"<b>{html.escape(str(item_id if item_id is not None else 'image'))}</b>"
                     f" · true label <b>{html.escape(_class_name(class_names, true_label))}</b> · ")
        self.caption.setText(f"{about}{verdict}; largest probability change {largest:.3f}")
