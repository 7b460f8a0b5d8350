"""The editor's tool bar (tools and commands) and options row (size, class, overlays).

Only widgets and their signals live here; MaskEditor connects them to the canvas.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QSlider, QSpinBox, QToolBar,
                               QWidget)

# tool name, label, shortcut, tooltip
TOOL_ACTIONS = [
    ("brush", "Brush", "B", "Paint with a round brush; Shift-drag erases"),
    ("eraser", "Eraser", "E", "Erase with a round brush"),
    ("polygon", "Polygon", "P", "Click points; double-click, Enter or click the first point to fill"),
    ("fill", "Fill", "F", "Flood-fill the connected area under the click"),
    ("wand", "Wand", "W", "Select pixels of similar colour (tolerance below)"),
    ("grabcut", "GrabCut", "G", "Drag a box around an object to select it"),
    ("rectangle", "Rect", "R", "Drag a box to fill it"),
]


def _action(parent, text: str, shortcut: str | QKeySequence | None, tip: str) -> QAction:
    action = QAction(text, parent)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        tip = f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
    action.setToolTip(tip)
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    return action


class EditorToolBar(QToolBar):
    """Tools (exclusive) and commands; ``tool_chosen(name)`` when a tool is picked."""

    tool_chosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__("Annotation tools", parent)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        group = QActionGroup(self)
        self.tool_actions: dict[str, QAction] = {}
        for name, text, key, tip in TOOL_ACTIONS:
            action = _action(self, text, key, tip)
            action.setCheckable(True)
            action.triggered.connect(lambda checked=False, n=name: self.tool_chosen.emit(n))
            group.addAction(action)
            self.addAction(action)
            self.tool_actions[name] = action
        self.tool_actions["brush"].setChecked(True)
        self.addSeparator()
        self.undo = self._command("Undo", QKeySequence.StandardKey.Undo, "Undo the last stroke or tool")
        self.redo = self._command("Redo", "Ctrl+Shift+Z", "Redo")
        self.addSeparator()
        self.accept_prediction = self._command("Accept prediction", "A", "Use the thresholded prediction as the label")
        self.keep_largest = self._command("Keep largest", None, "Remove every blob but the largest")
        self.fill_holes = self._command("Fill holes", None, "Fill background pockets enclosed by the object")
        self.addSeparator()
        self.save = self._command("Save", QKeySequence.StandardKey.Save, "Save this mask to the masks folder")
        self.train = self._command("Train on my corrections", None,
                                   "Save all masks, then fine-tune the current model on them")
        self.toggle_overlays = _action(self, "Toggle prediction/label", "Tab", "Show the prediction or the label")
        self.smaller = _action(self, "Smaller brush", "[", "Brush size down")
        self.bigger = _action(self, "Bigger brush", "]", "Brush size up")

    def _command(self, text, shortcut, tip) -> QAction:
        action = _action(self, text, shortcut, tip)
        self.addAction(action)
        return action

    def check_tool(self, name: str) -> None:
        self.tool_actions[name].setChecked(True)


class EditorOptions(QWidget):
    """Brush size, class, wand tolerance, prediction threshold, overlay visibility and opacity."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
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
        for widget in (QLabel("Size"), self.size, QLabel("Class"), self.class_box, QLabel("Tolerance"),
                       self.tolerance, QLabel("Threshold"), self.threshold, self.threshold_text,
                       self.show_label, self.label_opacity, self.show_prediction, self.prediction_opacity):
            layout.addWidget(widget)
        layout.addStretch(1)

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
