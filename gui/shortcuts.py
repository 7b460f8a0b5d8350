"""One registry of the app's keyboard shortcuts and the context each one works in.

Menus (gui/menus.py), the mask editor's tool bar and Help > Keyboard shortcuts
are all built from :func:`registry`, so a key is written once. Contexts:
``window`` keys work anywhere in the main window, ``annotate`` keys only while
the Annotate tab has the focus (Qt's WidgetWithChildrenShortcut on the
editor), ``canvas`` rows are keys and drags the canvas handles itself (listed
for Help, never bound as actions). A window key must not equal an annotate
key: Qt would call the pair ambiguous and run neither (P and F once clashed
with review navigation and Fit); tests/gui/test_shortcuts.py checks the built
window. The annotate tool keys come from the canvas's mode table.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from gui.annotation.tools import table

WINDOW, ANNOTATE, CANVAS = "window", "annotate", "canvas"
CONTEXT_TITLES = {WINDOW: "Anywhere in the window", ANNOTATE: "Annotate tab",
                  CANVAS: "On the Annotate canvas (mouse and editing keys)"}


@dataclass(frozen=True)
class Shortcut:
    id: str
    text: str
    key: str          # portable text ("Ctrl+S": Qt shows Cmd on macOS); "" for none
    context: str
    tip: str = ""


def _rows(context: str, *rows: tuple) -> list[Shortcut]:
    return [Shortcut(row[0], row[1], row[2], context, *row[3:]) for row in rows]


WINDOW_ROWS = _rows(
    WINDOW,
    ("file.open_folder", "Open dataset folder…", "Ctrl+O", "Open a dataset folder (or drop one on the window)"),
    ("file.open_run", "Open run…", "Ctrl+R", "Use a trained run's model for predictions"),
    ("file.export_model", "Export model…", "Ctrl+E", "Export the current model to ONNX (optionally int8)"),
    ("file.export_labels", "Export labels…", "",
     "Write the dataset's masks as COCO, Pascal VOC, YOLO-seg, labelme or Carvana CSV"),
    ("file.quit", "Quit", "Ctrl+Q"),
    ("view.fit", "Fit image", "Ctrl+0"),
    ("view.actual_size", "Actual size (1:1)", "Ctrl+1"),
    ("review.next", "Next in review queue", "N"),
    ("review.previous", "Previous in review queue", "Shift+N"),
    ("train.start", "Train", "Ctrl+T", "Train a model on the current dataset"),
    ("train.stop", "Stop training", "Ctrl+.", "Stop the run after the current batch"),
    ("train.compare", "Compare runs…", ""),
    ("help.shortcuts", "Keyboard shortcuts", "F1", "List every keyboard shortcut"),
    ("help.about", "About CNN-Lytical", ""))
ANNOTATE_ROWS = _rows(  # the tools' rows come from the mode table (gui/annotation/tools/table.py)
    ANNOTATE,
    ("annotate.undo", "Undo", "Ctrl+Z", "Undo the last stroke or tool"),
    ("annotate.redo", "Redo", "Ctrl+Shift+Z"),
    ("annotate.accept_prediction", "Accept prediction", "A", "Use the thresholded prediction as the label"),
    ("annotate.accept_assist", "Accept assist", "Shift+A",
     "Use the live assist learned from your scribbles as the label (one undo step)"),
    ("annotate.keep_largest", "Keep largest", "", "Remove every blob but the largest"),
    ("annotate.fill_holes", "Fill holes", "", "Fill background pockets enclosed by the object"),
    ("annotate.save", "Save", "Ctrl+S", "Save this mask to the masks folder"),
    ("annotate.train", "Train on my corrections", "",
     "Save all masks, then fine-tune the current model on them"),
    ("annotate.toggle_overlays", "Toggle prediction/label", "Tab", "Show the prediction or the label"),
    ("annotate.smaller", "Smaller brush", "[", "Brush size down"),
    ("annotate.bigger", "Bigger brush", "]", "Brush size up"))
CANVAS_ROWS = _rows(
    CANVAS,
    ("canvas.erase", "Erase with the current tool", "Shift+drag"),
    ("canvas.pan", "Pan", "Right or middle drag"),
    ("canvas.zoom", "Zoom under the cursor", "Wheel"),
    ("canvas.polygon_close", "Close the polygon", "Enter / double-click"),
    ("canvas.polygon_back", "Remove the last polygon point", "Backspace"),
    ("canvas.cancel", "Cancel the polygon or box being drawn", "Esc"),
    ("canvas.grabcut_object", "GrabCut: mark sure object", "Ctrl+drag"),
    ("canvas.grabcut_background", "GrabCut: mark sure background", "Ctrl+Shift+drag"))


def registry() -> tuple[Shortcut, ...]:
    """Every row: window keys, one per tool of the mode table, the editor's commands, canvas gestures."""
    tools = [Shortcut(f"annotate.tool.{mode.name}", mode.label, mode.key, ANNOTATE, mode.tip)
             for mode in table.TOOL_MODES]
    return tuple(WINDOW_ROWS + tools + ANNOTATE_ROWS + CANVAS_ROWS)


_QT_CONTEXT = {WINDOW: Qt.ShortcutContext.WindowShortcut, ANNOTATE: Qt.ShortcutContext.WidgetWithChildrenShortcut}


def shortcut(shortcut_id: str) -> Shortcut:
    for row in registry():
        if row.id == shortcut_id:
            return row
    raise KeyError(f"no shortcut {shortcut_id!r} in the registry")


def native(key: str) -> str:
    """How the key reads on this platform (Ctrl -> Cmd on macOS)."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) if key else ""


def make_action(parent, shortcut_id: str, slot=None, text: str | None = None) -> QAction:
    """A QAction with the registry's text, key, context and a tooltip that names the key."""
    row = shortcut(shortcut_id)
    if row.context not in _QT_CONTEXT:
        raise ValueError(f"{shortcut_id} is a {row.context} row: the canvas handles it, it is no action")
    action = QAction(text or row.text, parent)
    tip = row.tip or row.text.replace("…", "")
    if row.key:
        action.setShortcut(QKeySequence(row.key))
        action.setShortcutContext(_QT_CONTEXT[row.context])
        tip = f"{tip} ({native(row.key)})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    if slot is not None:
        action.triggered.connect(slot)
    return action


def by_context() -> dict[str, list[Shortcut]]:
    groups: dict[str, list[Shortcut]] = {context: [] for context in CONTEXT_TITLES}
    for row in registry():
        groups[row.context].append(row)
    return groups


def shortcuts_html() -> str:
    """The registry as the tables Help > Keyboard shortcuts shows."""
    parts = []
    for context, rows in by_context().items():
        parts.append(f"<h3>{CONTEXT_TITLES[context]}</h3><table cellspacing='0' cellpadding='3'>")
        for row in rows:
            key = native(row.key) if row.context != CANVAS else row.key
            parts.append(f"<tr><td width='150'><b>{key or '—'}</b></td><td>{row.text}</td></tr>")
        parts.append("</table>")
    return "".join(parts)


def show_shortcuts(parent):
    """Help > Keyboard shortcuts: a scrollable, non-modal list built from the registry."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

    dialog = QDialog(parent)
    dialog.setObjectName("shortcuts_dialog")
    dialog.setWindowTitle("Keyboard shortcuts")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    text = QTextBrowser(dialog)
    text.setHtml(shortcuts_html())
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=dialog)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.resize(520, 600)
    dialog.show()
    return dialog
