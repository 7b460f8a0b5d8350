"""The Train panel's option form: every choice maps to one TrainConfig field.

The form knows which engines and models fit the task (the model list comes
from ``core.models.list_models``) and remembers its values in QSettings.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout,
                               QLabel, QSpinBox, QWidget)

from core.models import list_models, model_info
from core.tasks import TASK_NAMES, task_spec

OPTIMIZERS = ("adam", "adamw", "sgd", "momentum", "nesterov", "rmsprop")
DEVICES = ("auto", "cpu", "cuda")
AUGMENT_SWITCHES = (("hflip", "flip ←→"), ("crop", "crop"), ("rotation", "rotate"),
                    ("color_jitter", "colour"))
NUMPY_MODELS = {  # the NumPy engine's nets (core.numpy_cnn.model), first is the default
    "lenet_numpy": "The from-scratch NumPy CNN, twin of the torch lenet",
    "lenet_fast_numpy": "lenet_numpy with each pool before its BatchNorm and ReLU: "
                        "1.3x faster a step, the MNIST recipe's net (docs/recipes.md)"}
SETTINGS_GROUP = "train"


def task_kind(task: str, kind: str | None = None) -> str:
    """classification or segmentation; a folder dataset says which it is."""
    return task_spec(task).kind_of(kind)


class TrainOptionsForm(QWidget):
    """Task, engine, model, epochs, batch size, learning rate, optimiser, augmentation, device."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._kind: str | None = None
        self.task_combo = QComboBox()
        self.task_combo.addItems(TASK_NAMES)
        self.engine_combo = QComboBox()
        self.model_combo = QComboBox()
        self.epochs_spin = _spin(1, 10_000, 5)
        self.batch_spin = _spin(1, 8192, 64)
        self.lr_spin = QDoubleSpinBox()
        self.lr_spin.setDecimals(5)
        self.lr_spin.setRange(0.00001, 10.0)
        self.lr_spin.setSingleStep(0.0005)
        self.lr_spin.setValue(0.001)
        self.optimizer_combo = QComboBox()
        self.optimizer_combo.addItems(OPTIMIZERS)
        self.limit_spin = _spin(0, 10_000_000, 0)
        self.limit_spin.setSpecialValueText("all")
        self.limit_spin.setSingleStep(500)
        self.limit_spin.setToolTip("Train on at most this many items (quick runs); 'all' = no limit")
        self.augment_check = QCheckBox("augment")
        self.augment_check.setChecked(True)
        self.augment_switches = {key: QCheckBox(text) for key, text in AUGMENT_SWITCHES}
        self.device_combo = QComboBox()
        self.device_combo.addItems(DEVICES)
        self.cuda_label = QLabel("CUDA: checking…")
        self.cuda_label.setObjectName("cudaStatus")
        self._layout_form()
        self.task_combo.currentTextChanged.connect(self._task_changed)
        self.engine_combo.currentTextChanged.connect(self._refresh_models)
        self.augment_check.toggled.connect(self._augment_toggled)
        self._task_changed(self.task)
        self.set_cuda_status(None)

    def _layout_form(self) -> None:
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("Task", self.task_combo)
        form.addRow("Engine", self.engine_combo)
        form.addRow("Model", self.model_combo)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow("Optimiser", self.optimizer_combo)
        form.addRow("Items", self.limit_spin)
        augment_row = QHBoxLayout()
        augment_row.setContentsMargins(0, 0, 0, 0)
        augment_row.addWidget(self.augment_check)
        for box in self.augment_switches.values():
            augment_row.addWidget(box)
        augment_row.addStretch(1)
        form.addRow("Augmentation", augment_row)
        device_row = QHBoxLayout()
        device_row.setContentsMargins(0, 0, 0, 0)
        device_row.addWidget(self.device_combo)
        device_row.addWidget(self.cuda_label, 1)
        form.addRow("Device", device_row)

    # --- task, engine, model -------------------------------------------------
    @property
    def task(self) -> str:
        return self.task_combo.currentText()

    def set_task(self, task: str, kind: str | None = None) -> None:
        self._kind = kind
        if task == self.task:
            self._task_changed(task)
        else:
            self.task_combo.setCurrentText(task)

    def _task_changed(self, task: str) -> None:
        previous = self.engine_combo.currentText() or "torch"
        engines = list(task_spec(task).engines)
        self.engine_combo.blockSignals(True)
        self.engine_combo.clear()
        self.engine_combo.addItems(engines)
        self.engine_combo.setCurrentText(previous if previous in engines else "torch")
        self.engine_combo.blockSignals(False)
        self.engine_combo.setToolTip("numpy: the hand-written engine (MNIST only)")
        self._refresh_models()
        self._refresh_augment_defaults()

    def _refresh_models(self) -> None:
        engine = self.engine_combo.currentText() or "torch"
        self.model_combo.clear()
        if engine == "numpy":
            for index, (name, description) in enumerate(NUMPY_MODELS.items()):
                self.model_combo.addItem(name, name)
                self.model_combo.setItemData(index, description, Qt.ItemDataRole.ToolTipRole)
            return
        default = task_spec(self.task).default_model(engine, self._kind)
        names = list_models(task_kind(self.task, self._kind))
        names.sort(key=lambda name: name != default)  # the task's default first
        for name in names:
            self.model_combo.addItem(f"{name} (default)" if name == default else name, name)
            self.model_combo.setItemData(self.model_combo.count() - 1,
                                         model_info(name).description, Qt.ItemDataRole.ToolTipRole)

    def _refresh_augment_defaults(self) -> None:
        from core.training.augment_options import augmentation_options

        defaults = augmentation_options(self._augment_kind())
        for key, box in self.augment_switches.items():
            box.setChecked(bool(defaults.get(key)))
            box.setEnabled(self.augment_check.isChecked())

    def _augment_toggled(self, on: bool) -> None:
        for box in self.augment_switches.values():
            box.setEnabled(on)

    # --- device --------------------------------------------------------------
    def set_cuda_status(self, device_name: str | None, checked: bool = False) -> None:
        """Show the probe's answer; 'cuda' is selectable only when a GPU was found."""
        item = self.device_combo.model().item(DEVICES.index("cuda"))
        item.setEnabled(device_name is not None)
        if device_name:
            self.cuda_label.setText(f"CUDA: {device_name}")
        else:
            self.cuda_label.setText("CUDA: not available" if checked else "CUDA: checking…")
            if self.device_combo.currentText() == "cuda" and checked:
                self.device_combo.setCurrentText("auto")

    # --- config --------------------------------------------------------------
    def config_values(self) -> dict[str, Any]:
        """The TrainConfig fields this form decides."""
        engine = self.engine_combo.currentText()
        model = self.model_combo.currentData()
        return {
            "task": self.task,
            "engine": engine,
            "model": model,
            "epochs": self.epochs_spin.value(),
            "batch_size": self.batch_spin.value(),
            "lr": self.lr_spin.value(),
            "optimizer": self.optimizer_combo.currentText(),
            "limit": self.limit_spin.value() or None,
            "augment": self.augment_check.isChecked(),
            "augment_options": self._augment_overrides(),
            "device": self.device_combo.currentText(),
        }

    def _augment_overrides(self) -> dict[str, bool]:
        """Only the switches that differ from the task's defaults (which keep their strengths)."""
        from core.training.augment_options import augmentation_options

        defaults = augmentation_options(self._augment_kind())
        return {key: box.isChecked() for key, box in self.augment_switches.items()
                if box.isChecked() != bool(defaults.get(key))}

    def _augment_kind(self) -> str:
        return task_spec(self.task).augmentation_kind(self._kind)

    def apply_config(self, config: dict[str, Any]) -> None:
        """Show a saved run's choices (for resuming it); unknown values are left as they are."""
        self.set_task(str(config.get("task", self.task)))
        _set_combo(self.engine_combo, config.get("engine"))
        index = self.model_combo.findData(config.get("model"))
        if index >= 0:
            self.model_combo.setCurrentIndex(index)
        for spin, key in ((self.epochs_spin, "epochs"), (self.batch_spin, "batch_size"),
                          (self.lr_spin, "lr"), (self.limit_spin, "limit")):
            if isinstance(config.get(key), (int, float)):
                spin.setValue(config[key])
        _set_combo(self.optimizer_combo, config.get("optimizer"))
        _set_combo(self.device_combo, config.get("device"))
        if isinstance(config.get("augment"), bool):
            self.augment_check.setChecked(config["augment"])
        for key, value in (config.get("augment_options") or {}).items():
            if key in self.augment_switches:
                self.augment_switches[key].setChecked(bool(value))

    def save_settings(self, settings: QSettings) -> None:
        settings.beginGroup(SETTINGS_GROUP)
        for key, value in self.config_values().items():
            if key == "augment_options":
                for name, box in self.augment_switches.items():
                    settings.setValue(f"augment_{name}", box.isChecked())
            elif key not in ("task",):
                settings.setValue(key, "" if value is None else value)
        settings.endGroup()

    def restore_settings(self, settings: QSettings) -> None:
        settings.beginGroup(SETTINGS_GROUP)
        saved = {key: settings.value(key) for key in settings.childKeys()}
        settings.endGroup()
        config: dict[str, Any] = {"augment_options": {}}
        for key, value in saved.items():
            if key.startswith("augment_"):
                config["augment_options"][key[len("augment_"):]] = _as_bool(value)
            elif key in ("epochs", "batch_size", "limit"):
                config[key] = _as_int(value)
            elif key == "lr":
                config[key] = _as_float(value)
            elif key == "augment":
                config[key] = _as_bool(value)
            elif value not in ("", None):
                config[key] = str(value)
        config["task"] = self.task
        self.apply_config(config)


def _spin(low: int, high: int, value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    return spin


def _set_combo(combo: QComboBox, value: Any) -> None:
    if value is not None and combo.findText(str(value)) >= 0:
        combo.setCurrentText(str(value))


def _as_bool(value: Any) -> bool:
    return value in (True, "true", "1", 1)


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _as_float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
