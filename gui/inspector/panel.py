"""InspectorPanel: what the first convolution learned, and what it sees in this image.

Both come from the predictor (``first_layer_filters()`` and
``feature_maps(image)``), so NumPy and torch runs look the same here. The work
runs in the model pool, and only while the panel is visible.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.mosaic import filter_tiles, map_tiles, mosaic
from gui.scaled_image import ScaledImage
from gui.workers import TaskRunner

NO_MODEL_TEXT = "Train a model or open a run to see its first-layer filters and feature maps."


def first_feature_maps(result) -> tuple[str, np.ndarray]:
    """``feature_maps()`` gives [(layer name, (C, H, W)), ...]; the first layer's entry."""
    if isinstance(result, (list, tuple)) and result and isinstance(result[0], tuple):
        name, maps = result[0]
    else:
        name, maps = "conv1", result
    maps = np.asarray(maps)
    return str(name), maps[0] if maps.ndim == 4 else maps


def inspect(predictor, image: np.ndarray) -> dict:
    """Mosaics of the first layer's filters and of its feature maps for ``image``."""
    weights = np.asarray(predictor.first_layer_filters())
    layer, maps = first_feature_maps(predictor.feature_maps(image))
    return {"filters": mosaic(filter_tiles(weights)), "filter_shape": weights.shape,
            "maps": mosaic(map_tiles(maps)), "map_shape": maps.shape, "layer": layer}


class InspectorPanel(QWidget):
    def __init__(self, pool: QThreadPool, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = TaskRunner(pool, self)
        self.runner.finished.connect(self._on_result)
        self.runner.failed.connect(self._on_failed)
        self.predictor = None
        self.image: np.ndarray | None = None
        self.active = False
        self.last_result: dict | None = None
        self.hint = QLabel(NO_MODEL_TEXT)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.filters_title, self.maps_title = QLabel(), QLabel()
        for title in (self.filters_title, self.maps_title):
            title.setObjectName("title")
        self.filters_view, self.maps_view = ScaledImage(), ScaledImage()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.hint)
        layout.addWidget(self.filters_title)
        layout.addWidget(self.filters_view, 2)
        layout.addWidget(self.maps_title)
        layout.addWidget(self.maps_view, 3)
        self._show_hint(NO_MODEL_TEXT)

    def set_predictor(self, predictor) -> None:
        self.predictor = predictor
        self.refresh()

    def set_image(self, image: np.ndarray | None) -> None:
        self.image = image
        self.refresh()

    def set_active(self, active: bool) -> None:
        """Only compute while the user can see the panel."""
        self.active = active
        self.refresh()

    def refresh(self) -> None:
        if self.predictor is None:
            self._show_hint(NO_MODEL_TEXT)
            return
        if self.predictor.first_layer_filters() is None:
            self._show_hint("This model does not expose its first layer.")
            return
        if self.active and self.image is not None:
            predictor, image = self.predictor, self.image
            self.runner.submit(lambda: inspect(predictor, image))

    def _on_result(self, result: dict) -> None:
        self.last_result = result
        out_channels, in_channels, kernel_h, kernel_w = result["filter_shape"]
        channels, height, width = result["map_shape"]
        self.hint.hide()
        inputs = f"{in_channels} input channel" + ("s" if in_channels > 1 else "")
        self.filters_title.setText(f"First-layer filters: {out_channels} × {kernel_h}×{kernel_w}, "
                                   f"{inputs}")
        self.maps_title.setText(f"Feature maps of this image: {channels} × {height}×{width} "
                                f"(layer {result['layer']})")
        for widget in (self.filters_title, self.maps_title, self.filters_view, self.maps_view):
            widget.show()
        self.filters_view.set_image(result["filters"])
        self.maps_view.set_image(result["maps"])

    def _on_failed(self, message: str) -> None:
        self._show_hint(f"Cannot inspect this model: {message}")

    def _show_hint(self, text: str) -> None:
        self.last_result = None
        self.hint.setText(text)
        self.hint.show()
        for widget in (self.filters_title, self.maps_title, self.filters_view, self.maps_view):
            widget.hide()
