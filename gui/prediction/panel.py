"""PredictionPanel: what the current model says about the current image.

Three faces: a hint when there is no model (never an empty chart), the class
probability chart for classification, and mask statistics for segmentation.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QLabel, QPushButton, QStackedWidget,
                               QVBoxLayout, QWidget)

from core.ranking import classification_uncertainty, dice, mask_uncertainty
from gui.deferred import DeferredWidget
from gui.scaled_image import ScaledImage

NO_MODEL_HINT = "Train a model or open a run to see predictions."


class PredictionPanel(QWidget):
    """Signals: ``train_requested()`` and ``open_run_requested()`` from the no-model page."""

    train_requested = Signal()
    open_run_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.hint = QLabel(NO_MODEL_HINT)
        self.hint.setObjectName("hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.model_label = QLabel()
        self.model_label.setObjectName("hint")
        self.model_label.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setObjectName("title")
        self.summary.setWordWrap(True)
        self._chart = DeferredWidget(_probability_chart)  # pyqtgraph after the first paint
        self.mask_fields = {name: QLabel("–") for name in
                            ("Foreground predicted", "Dice with ground truth",
                             "False positives", "False negatives", "Mean uncertainty")}
        self.pages = QStackedWidget()
        self.pages.addWidget(self._hint_page())
        self.pages.addWidget(self._chart)
        self.pages.addWidget(self._mask_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.summary)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.model_label)
        self.show_hint(NO_MODEL_HINT)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        """The chart's page is hidden until a model predicts: build it now, not then."""
        super().showEvent(event)
        self._chart.build_later()

    @property
    def chart(self):
        """The class probability chart (``ProbabilityChart``), built on first use."""
        return self._chart.widget()

    def _hint_page(self) -> QWidget:
        """The hint, with the two ways to get a model one click away."""
        self.train_button, self.open_run_button = QPushButton("Train"), QPushButton("Open run…")
        self.train_button.setObjectName("primary")
        self.train_button.setToolTip("Train a model on this dataset (Train panel)")
        self.open_run_button.setToolTip("Use the model of a run trained before")
        self.train_button.clicked.connect(self.train_requested)
        self.open_run_button.clicked.connect(self.open_run_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.open_run_button)
        buttons.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.hint)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        layout.addStretch(2)
        return page

    def _mask_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for name, label in self.mask_fields.items():
            form.addRow(name, label)
        self.probability_title = QLabel("Foreground probability (dark 0 → bright 1)")
        self.probability_title.setObjectName("hint")
        self.probability_map = ScaledImage()
        self.probability_map.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(self.probability_title)
        layout.addWidget(self.probability_map, 1)
        return page

    def show_hint(self, text: str, offer_model: bool = True) -> None:
        """``text`` instead of a prediction; ``offer_model`` shows the Train / Open run buttons."""
        self.hint.setText(text)
        self.train_button.setVisible(offer_model)
        self.open_run_button.setVisible(offer_model)
        self.summary.setText("")
        self.pages.setCurrentIndex(0)

    def set_model_text(self, text: str) -> None:
        """The model in use, under the chart (hidden while there is none)."""
        self.model_label.setText(text)
        self.model_label.setVisible(bool(text))

    def show_probabilities(self, probabilities: np.ndarray, class_names: list[str],
                           true_label: int | None) -> None:
        top = int(np.argmax(probabilities))
        name = class_names[top] if top < len(class_names) else str(top)
        text = f"Predicted <b>{name}</b> ({probabilities[top]:.1%})"
        if true_label is not None and 0 <= true_label < len(class_names):
            verdict = "✓" if top == true_label else "✗"
            text += f" · true {class_names[true_label]} {verdict}"
        uncertainty = float(classification_uncertainty(probabilities))
        self.summary.setText(text + f" · uncertainty {uncertainty:.2f}")
        self.chart.set_probabilities(probabilities, class_names, true_label)
        self.pages.setCurrentIndex(1)

    def show_mask(self, probabilities: np.ndarray, truth: np.ndarray | None) -> None:
        predicted = probabilities >= 0.5
        self.summary.setText("Predicted mask")
        self.mask_fields["Foreground predicted"].setText(f"{predicted.mean():.1%} of pixels")
        usable = isinstance(truth, np.ndarray) and truth.shape == probabilities.shape
        if usable:
            actual = truth > 0
            self.mask_fields["Dice with ground truth"].setText(f"{dice(probabilities, truth):.3f}")
            self.mask_fields["False positives"].setText(f"{int(np.sum(predicted & ~actual)):,} px")
            self.mask_fields["False negatives"].setText(f"{int(np.sum(~predicted & actual)):,} px")
        else:
            for name in ("Dice with ground truth", "False positives", "False negatives"):
                self.mask_fields[name].setText("no ground truth")
        self.mask_fields["Mean uncertainty"].setText(f"{mask_uncertainty(probabilities):.3f}")
        self.probability_map.set_image(probability_heatmap(probabilities))
        self.pages.setCurrentIndex(2)


def _probability_chart() -> QWidget:
    from gui.prediction.chart import ProbabilityChart

    return ProbabilityChart()


def probability_heatmap(probabilities: np.ndarray) -> np.ndarray:
    """(H, W) probabilities in [0, 1] -> RGB uint8 with a perceptual colour map (viridis)."""
    import cv2

    grey = np.clip(np.round(np.asarray(probabilities, np.float32) * 255.0), 0, 255).astype(np.uint8)
    return cv2.cvtColor(cv2.applyColorMap(grey, cv2.COLORMAP_VIRIDIS), cv2.COLOR_BGR2RGB)
