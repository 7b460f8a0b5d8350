"""Where float32 and int8 disagree, for one image, before the user ships the int8 file.

Masks: the image dimmed, pixels both models call object tinted blue, pixels
only float32 calls object orange, only int8 magenta (zoom in with the wheel).
Classification: the two probability bar charts side by side.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from gui.images import thumbnail, to_qimage
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


class DisagreementView(QWidget):
    """``show_masks`` / ``show_probabilities`` after both models predicted the same image."""

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
        self.changed_pixels = 0
        self.composite: np.ndarray | None = None

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
                           image: np.ndarray | None = None) -> None:
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
        self.caption.setText(f"{verdict}; largest probability change {largest:.3f}")
