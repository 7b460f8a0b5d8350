"""The editor's vertical tool bar (tools and commands) and its wrapping options row.

Only widgets and their signals live here; MaskEditor connects them to the
canvas. Tools come from the canvas's mode table, keys and tooltips from the
shortcut registry (gui/shortcuts.py), so a tooltip always names the key that works.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QSlider, QSpinBox, QToolBar,
                               QToolButton, QWidget)

from gui.annotation.flow_layout import FlowLayout
from gui.annotation.icons import command_icon, painted_icon
from gui.annotation.tools import table
from gui.shortcuts import make_action


class EditorToolBar(QToolBar):
    """Tools (exclusive, checkable) above the commands, one icon each; ``tool_chosen(name)``."""

    tool_chosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__("Annotation tools", parent)
        self.setObjectName("annotation_tools")
        self.setOrientation(Qt.Orientation.Vertical)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.setIconSize(QSize(24, 24))
        self.setMovable(False)
        group = QActionGroup(self)
        self.tool_actions: dict[str, QAction] = {}
        for mode in table.TOOL_MODES:
            action = make_action(self, f"annotate.tool.{mode.name}")
            action.setIcon(painted_icon(lambda painter, m=mode: m.tool.draw_icon(painter, m.key)))
            action.setCheckable(True)
            action.triggered.connect(lambda checked=False, n=mode.name: self.tool_chosen.emit(n))
            group.addAction(action)
            self.addAction(action)
            self.tool_actions[mode.name] = action
        self.tool_actions["brush"].setChecked(True)
        self.addSeparator()
        self.undo = self._command("undo")
        self.redo = self._command("redo")
        self.addSeparator()
        self.accept_prediction = self._command("accept_prediction")
        self.keep_largest = self._command("keep_largest")
        self.fill_holes = self._command("fill_holes")
        # in the options row as labelled buttons (too important to be an icon or to overflow)
        self.save = self._command("save", add=False)
        self.train = self._command("train", add=False)
        self.toggle_overlays = make_action(self, "annotate.toggle_overlays")
        self.smaller = make_action(self, "annotate.smaller")
        self.bigger = make_action(self, "annotate.bigger")

    def _command(self, name: str, add: bool = True) -> QAction:
        action = make_action(self, f"annotate.{name}")
        action.setIcon(command_icon(name))
        if add:
            self.addAction(action)
        return action

    def shortcut_actions(self) -> list[QAction]:
        """Every action whose key must work while the editor has the focus."""
        return self.actions() + [self.save, self.train, self.toggle_overlays, self.smaller, self.bigger]

    def check_tool(self, name: str) -> None:
        self.tool_actions[name].setChecked(True)


def _group(*widgets) -> QWidget:
    """Widgets that wrap together (a label stays beside its control)."""
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for widget in widgets:
        layout.addWidget(widget)
    return box


class EditorOptions(QWidget):
    """Brush size, class, wand tolerance, threshold, overlays, then Save and Train; wraps when narrow."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("annotation_options")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # style.qss colours the row
        layout = FlowLayout(self, spacing=10)
        layout.setContentsMargins(6, 3, 6, 3)
        self.size = QSpinBox(minimum=1, maximum=1000, value=25, suffix=" px")
        self.size.setToolTip("Brush diameter in image pixels ([ and ])")
        self.class_box = QComboBox()
        self.class_box.setToolTip("Class painted by the tools")
        self.tolerance = QSpinBox(minimum=0, maximum=255, value=24)
        self.tolerance.setToolTip("Magic wand: how far a colour may be from the clicked one")
        self.threshold = self._slider(50, "Prediction threshold")
        self.threshold_text = QLabel("0.50")
        self.show_label = QCheckBox("Label", checked=True)
        self.label_opacity = self._slider(50, "Label opacity")
        self.show_prediction = QCheckBox("Prediction", checked=True)
        self.prediction_opacity = self._slider(45, "Prediction opacity")
        self.threshold.valueChanged.connect(lambda v: self.threshold_text.setText(f"{v / 100:.2f}"))
        for group in (_group(QLabel("Size"), self.size), _group(QLabel("Class"), self.class_box),
                      _group(QLabel("Tolerance"), self.tolerance),
                      _group(QLabel("Threshold"), self.threshold, self.threshold_text),
                      _group(self.show_label, self.label_opacity),
                      _group(self.show_prediction, self.prediction_opacity)):
            layout.addWidget(group)
        self.save_button = QToolButton()
        self.train_button = QToolButton()
        self.train_button.setObjectName("primary")
        for button in (self.save_button, self.train_button):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        layout.addWidget(_group(self.save_button, self.train_button))

    def set_commands(self, save: QAction, train: QAction) -> None:
        self.save_button.setDefaultAction(save)
        self.train_button.setDefaultAction(train)

    @staticmethod
    def _slider(value: int, tip: str) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100, value=value)
        slider.setFixedWidth(90)
        slider.setToolTip(tip)
        return slider

    def set_colours(self, label_rgb, prediction_rgb) -> None:
        """Colour swatches beside the overlay check boxes, so the overlays read as a legend."""
        for box, rgb in ((self.show_label, label_rgb), (self.show_prediction, prediction_rgb)):
            swatch = QPixmap(12, 12)
            swatch.fill(QColor(*[int(c) for c in rgb]))
            box.setIcon(QIcon(swatch))

    def set_class_names(self, names: list[str]) -> None:
        """Offer every class but background (class 0 is what the eraser paints)."""
        self.class_box.blockSignals(True)
        self.class_box.clear()
        for value, name in enumerate(names[1:], start=1):
            self.class_box.addItem(name, value)
        self.class_box.blockSignals(False)
        self.class_box.setEnabled(len(names) > 2)
