"""Marks on thumbnails for masks drawn in the Annotate tab: unsaved edits vs a saved user mask.

The mask editor says when an image gets unsaved edits (``mask_modified``) and
when its mask is written (``mask_saved``). The browser then badges the
thumbnail (orange dot: unsaved edits; green tick: a saved user mask that wins
over the dataset's), prefixes the caption with the same sign and adds a line to
the tooltip, so edited images are visible at a glance while scrolling.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

MODIFIED, SAVED = "modified", "saved"
SIGNS = {MODIFIED: "●", SAVED: "✓"}
COLOURS = {MODIFIED: QColor(255, 150, 30), SAVED: QColor(40, 170, 80)}
TOOLTIPS = {MODIFIED: "unsaved mask edits (Ctrl+S in the Annotate tab saves them)",
            SAVED: "user mask saved: {path}"}


class EditMarks:
    """Edit state per item id: MODIFIED or SAVED (with the mask's path)."""

    def __init__(self) -> None:
        self.states: dict[str, str] = {}
        self.paths: dict[str, str] = {}

    def clear(self) -> None:
        self.states.clear()
        self.paths.clear()

    def set(self, item_id: str, state: str, path: str | None = None) -> None:
        self.states[item_id] = state
        if path:
            self.paths[item_id] = path

    def state(self, item_id: str) -> str | None:
        return self.states.get(item_id)

    def caption_prefix(self, item_id: str) -> str:
        state = self.states.get(item_id)
        return f"{SIGNS[state]} " if state else ""

    def tooltip_line(self, item_id: str) -> str:
        state = self.states.get(item_id)
        return TOOLTIPS[state].format(path=self.paths.get(item_id, "")) if state else ""


def badged_icon(icon: QIcon, state: str, size: int) -> QIcon:
    """``icon`` with a round badge in its top-right corner (the same in selected mode)."""
    pixmap = icon.pixmap(size, size)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    radius = max(6.0, size / 8)
    centre = QPointF(pixmap.width() / pixmap.devicePixelRatio() - radius - 2, radius + 2)
    painter.setPen(QPen(QColor("white"), 2))
    painter.setBrush(COLOURS[state])
    painter.drawEllipse(centre, radius, radius)
    if state == SAVED:
        tick = QPainterPath(centre + QPointF(-radius * 0.5, 0))
        tick.lineTo(centre + QPointF(-radius * 0.1, radius * 0.4))
        tick.lineTo(centre + QPointF(radius * 0.5, -radius * 0.4))
        painter.setPen(QPen(QColor("white"), max(1.5, radius / 4)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(tick)
    painter.end()
    badged = QIcon(pixmap)
    badged.addPixmap(pixmap, QIcon.Mode.Selected)
    return badged


def link_editor(editor, browser) -> None:
    """Mark the browser's thumbnails from the mask editor's signals."""
    editor.mask_modified.connect(lambda item_id: browser.model.mark_edit(item_id, MODIFIED))
    editor.mask_saved.connect(lambda item_id, path: browser.model.mark_edit(item_id, SAVED, path))
    editor.mask_unmodified.connect(lambda item_id: _mark_unmodified(editor, browser, item_id))  # undone to saved


def _mark_unmodified(editor, browser, item_id: str) -> None:
    """Undo reached the saved mask: the dot goes; the tick comes back if a user mask is saved."""
    path = editor.store.path(item_id) if editor.store is not None else None
    saved = path is not None and path.exists()
    browser.model.mark_edit(item_id, SAVED if saved else None, str(path) if saved else None)


def sync_edit_marks(editor, browser) -> None:
    """After a dataset opens: masks already saved in the editor's folder, then unsaved edits."""
    store = editor.store
    marks = {}
    if store is not None:
        marks = {item_id: (SAVED, str(store.path(item_id))) for item_id in store.saved_ids()}
    marks.update({item_id: (MODIFIED, None) for item_id in editor.modified_ids()})
    browser.model.set_edit_marks(marks)
