"""ViewerPanel: the image view plus its controls (fit, 1:1, overlay, colour, opacity).

It keeps the current image, its ground-truth mask and the predicted mask
probabilities, and rebuilds the overlay when any of them or the mode changes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QColorDialog, QComboBox, QHBoxLayout, QLabel, QPushButton,
                               QSlider, QToolButton, QVBoxLayout, QWidget)

from gui.viewer.elided_label import ElidedLabel
from gui.viewer.overlays import OVERLAY_MODES, PREDICTION_COLOUR, build_overlay
from gui.viewer.view import ImageView


class ViewerPanel(QWidget):
    pixel_hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = ImageView()
        self.truth: np.ndarray | None = None
        self.probabilities: np.ndarray | None = None
        self.colour = PREDICTION_COLOUR
        self.title = ElidedLabel("No image")  # long ids and errors end in "…"; tooltip has all
        self.title.setObjectName("title")
        self.title.setMinimumWidth(60)
        self.overlay_box = QComboBox()
        for key, text in OVERLAY_MODES.items():
            self.overlay_box.addItem(text, key)
        self.colour_button = QToolButton()
        self.colour_button.setToolTip("Colour of the predicted mask")
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(50)
        self.opacity_slider.setFixedWidth(90)
        self.opacity_slider.setToolTip("Overlay opacity")
        self.zoom_label = QLabel("100%")
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._build_layout()
        self._paint_colour_button()
        self.overlay_box.currentIndexChanged.connect(self._refresh_overlay)
        self.colour_button.clicked.connect(self._choose_colour)
        self.opacity_slider.valueChanged.connect(
            lambda value: self.view.set_overlay_opacity(value / 100.0))
        self.view.zoom_changed.connect(lambda scale: self.zoom_label.setText(f"{scale:.0%}"))
        self.view.pixel_hovered.connect(self.pixel_hovered)

    def _build_layout(self) -> None:
        fit, actual = QPushButton("Fit"), QPushButton("1:1")
        for button in (fit, actual):
            button.setFixedWidth(52)
        fit.setToolTip("Fit the image to the window (F)")
        actual.setToolTip("Show pixels at their real size (1)")
        fit.clicked.connect(self.view.fit)
        actual.clicked.connect(self.view.actual_size)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        for widget in (fit, actual, self.zoom_label):
            title_row.addWidget(widget)
        self.overlay_row = QWidget()  # second row, for mask datasets only
        overlay_layout = QHBoxLayout(self.overlay_row)
        overlay_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel("Overlay"), self.overlay_box, self.colour_button,
                       QLabel("Opacity"), self.opacity_slider):
            overlay_layout.addWidget(widget)
        overlay_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)
        layout.addLayout(title_row)
        layout.addWidget(self.overlay_row)
        layout.addWidget(self.view, 1)

    # --- API --------------------------------------------------------------------------
    @property
    def overlay_mode(self) -> str:
        return self.overlay_box.currentData()

    def set_overlay_mode(self, mode: str) -> None:
        self.overlay_box.setCurrentIndex(max(0, self.overlay_box.findData(mode)))

    def set_segmentation(self, enabled: bool) -> None:
        """Overlay controls only make sense for mask datasets."""
        self.overlay_row.setVisible(enabled)

    def show_item(self, title: str, image: np.ndarray, truth: np.ndarray | None,
                  qimage=None) -> None:
        self.title.setText(title)
        self.truth = truth if isinstance(truth, np.ndarray) else None
        self.probabilities = None
        self.view.set_image(image, qimage)
        self._refresh_overlay()

    def show_loading(self, title: str) -> None:
        """At once on a click whose image is still being decoded: the old image dims."""
        self.title.setText(f"{title} (loading…)")
        self.view.image_item.setOpacity(0.35)
        self.view.overlay_item.setPixmap(QPixmap())

    def clear(self, message: str = "No image") -> None:
        self.title.setText(message)
        self.truth = self.probabilities = None
        self.view.set_image(None)

    def set_prediction(self, probabilities: np.ndarray | None) -> None:
        """Mask probabilities (H, W) for the shown image; None when there is no model."""
        self.probabilities = probabilities if isinstance(probabilities, np.ndarray) else None
        self._refresh_overlay()

    def set_colour(self, colour: tuple[int, int, int]) -> None:
        self.colour = tuple(int(c) for c in colour)
        self._paint_colour_button()
        self._refresh_overlay()

    def _refresh_overlay(self) -> None:
        self.view.set_overlay(build_overlay(self.overlay_mode, self.probabilities, self.truth,
                                            self.colour))

    def _choose_colour(self) -> None:
        chosen = QColorDialog.getColor(QColor(*self.colour), self, "Prediction colour")
        if chosen.isValid():
            self.set_colour((chosen.red(), chosen.green(), chosen.blue()))

    def _paint_colour_button(self) -> None:
        swatch = QPixmap(16, 16)
        swatch.fill(QColor(*self.colour))
        self.colour_button.setIcon(QIcon(swatch))
