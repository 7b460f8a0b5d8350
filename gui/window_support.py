"""Small helpers of the main window: titles, model/dataset fit, drag-and-drop of folders."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from core.compat import DataProfile, incompatibility, model_profile


def item_title(dataset, sample) -> str:
    """'item id · label' for the viewer's title."""
    target = sample.target
    if isinstance(target, (int, np.integer)) and 0 <= int(target) < len(dataset.class_names):
        return f"{sample.item_id} · label {dataset.class_names[int(target)]}"
    if isinstance(target, np.ndarray):
        return f"{sample.item_id} · mask {float(np.mean(target > 0)):.1%} foreground"
    return f"{sample.item_id} · no label"


def unfit_reason(predictor, data: DataProfile | None) -> str | None:
    """Why the current model cannot be used on the current data (None: it can, or no model).

    The one check (core.compat) behind the Prediction panel, the Inspector and the Review queue.
    """
    if predictor is None or data is None:
        return None if predictor is None else "no dataset is open"
    return incompatibility(model_profile(predictor), data)


def model_text(info) -> str:
    if info is None:
        return "No model"
    engine = f"{info.engine} " if info.engine else ""
    runtime = f" · {info.runtime}" if getattr(info, "runtime", "") else ""
    return f"Model: {engine}{info.kind} · {Path(info.run_dir).name}{runtime}"


class DropOpener:
    """Accepts a dropped local folder (or file) and opens it as a dataset."""

    def __init__(self, open_path: Callable[[str], None]):
        self.open_path = open_path

    @staticmethod
    def dropped_path(mime) -> str | None:
        for url in mime.urls() if mime.hasUrls() else []:
            if url.isLocalFile() and Path(url.toLocalFile()).exists():
                return url.toLocalFile()
        return None

    def drag_enter(self, event) -> None:
        if self.dropped_path(event.mimeData()):
            event.acceptProposedAction()

    def drop(self, event) -> None:
        path = self.dropped_path(event.mimeData())
        if path:
            event.acceptProposedAction()
            self.open_path(path)


def scrollable(widget: QWidget) -> QScrollArea:
    """Let a tall panel live in a short dock: it scrolls instead of squeezing the image."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area
