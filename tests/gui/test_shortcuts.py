"""No key is ambiguous anywhere in the main window, and every key comes from one registry."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QTextBrowser, QWidget

from gui.shortcuts import ANNOTATE, CANVAS, WINDOW, native, registry

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, isolated_settings, tmp_path, monkeypatch):
    from gui.main_window import MainWindow

    monkeypatch.setenv("CNN_LYTICAL_DATA_DIR", str(tmp_path / "user-data"))
    main = MainWindow(demo_size=8)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.shutdown()


def _owners(action: QAction, window) -> list[QWidget]:
    """Widgets whose focus can trigger ``action``; a menu's actions belong to the window."""
    owners = []
    for obj in action.associatedObjects():
        if isinstance(obj, QMenu):
            owners.append(window)
        elif isinstance(obj, QWidget):
            owners.append(obj)
    return owners


def bindings(window) -> list[tuple[str, Qt.ShortcutContext, list[QWidget], object]]:
    found = []
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            if not sequence.isEmpty():
                found.append((sequence.toString(QKeySequence.SequenceFormat.PortableText),
                              action.shortcutContext(), _owners(action, window), action))
    for shortcut in window.findChildren(QShortcut):
        if not shortcut.key().isEmpty():
            found.append((shortcut.key().toString(QKeySequence.SequenceFormat.PortableText), shortcut.context(),
                          [shortcut.parentWidget()], shortcut))
    return found


def _active(context: Qt.ShortcutContext, owners: list[QWidget], focus: QWidget) -> bool:
    if context == Qt.ShortcutContext.ApplicationShortcut:
        return True
    if context == Qt.ShortcutContext.WindowShortcut:
        return any(owner.window() is focus.window() for owner in owners)
    if context == Qt.ShortcutContext.WidgetWithChildrenShortcut:
        return any(owner is focus or owner.isAncestorOf(focus) for owner in owners)
    return focus in owners


def ambiguous_keys(window) -> set[tuple[str, str]]:
    """(key, focus widget class) pairs where more than one shortcut would answer the key."""
    found = bindings(window)
    clashes = set()
    for focus in [window] + window.findChildren(QWidget):
        per_key: dict[str, set[int]] = {}
        for key, context, owners, obj in found:
            if owners and _active(context, owners, focus):
                per_key.setdefault(key, set()).add(id(obj))
        clashes |= {(key, type(focus).__name__) for key, objs in per_key.items() if len(objs) > 1}
    return clashes


def test_no_key_is_ambiguous_every_key_is_registered_and_tool_keys_work(window, qtbot):
    # one window for all checks: building it is the slow part
    found = bindings(window)
    assert found, "the window has shortcuts to check"
    assert ambiguous_keys(window) == set()
    registered = {(QKeySequence(row.key).toString(QKeySequence.SequenceFormat.PortableText), row.context)
                  for row in registry() if row.context != CANVAS and row.key}
    contexts = {Qt.ShortcutContext.WindowShortcut: WINDOW, Qt.ShortcutContext.WidgetWithChildrenShortcut: ANNOTATE}
    for key, context, _owners_, obj in found:
        assert (key, contexts.get(context)) in registered, f"{key} ({obj.text() if hasattr(obj, 'text') else obj})"

    # P and F once did nothing in the editor ("Ambiguous shortcut overload" with review and Fit)
    window.activateWindow()
    assert window.train_dock.isVisible()
    window.tabs.setCurrentWidget(window.tabs.widget(1))
    assert not window.train_dock.isVisible() and not window.prediction_dock.isVisible()  # the workspace
    canvas = window.editor.canvas
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus, timeout=2000)
    for key, tool in ((Qt.Key.Key_P, "polygon"), (Qt.Key.Key_F, "fill"), (Qt.Key.Key_E, "eraser"),
                      (Qt.Key.Key_B, "brush")):
        QTest.keyClick(canvas, key)
        assert canvas.tool == tool
        assert window.editor.toolbar.tool_actions[tool].isChecked()

    window.actions.shortcuts_help.trigger()  # Help > Keyboard shortcuts: the registry, every row
    dialog = window.findChild(QWidget, "shortcuts_dialog")
    assert dialog is not None and dialog.isVisible()
    shown = dialog.findChild(QTextBrowser).toPlainText()
    for row in registry():
        assert row.text in shown
        assert row.context == CANVAS or not row.key or native(row.key) in shown
    dialog.close()
    QApplication.processEvents()
    window.tabs.setCurrentWidget(window.view_page)
    assert window.train_dock.isVisible() and window.browser_dock.isVisible()


def test_registry_keys_are_unique_per_reachable_context():
    window_keys = [row.key for row in registry() if row.context == WINDOW and row.key]
    annotate_keys = [row.key for row in registry() if row.context == ANNOTATE and row.key]
    assert len(set(window_keys)) == len(window_keys)
    assert len(set(annotate_keys)) == len(annotate_keys)
    assert not set(window_keys) & set(annotate_keys)  # the editor sits inside the window
    assert len({row.id for row in registry()}) == len(registry())


def test_the_check_catches_the_old_clash_of_a_window_key_with_an_editor_key(qtbot):
    from PySide6.QtWidgets import QMainWindow

    main = QMainWindow()
    qtbot.addWidget(main)
    editor = QWidget()
    main.setCentralWidget(editor)
    previous = QAction("Previous in review queue", main)
    previous.setShortcut(QKeySequence("P"))
    main.menuBar().addMenu("View").addAction(previous)
    polygon = QAction("Polygon", editor)
    polygon.setShortcut(QKeySequence("P"))
    polygon.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    editor.addAction(polygon)
    assert ("P", "QWidget") in ambiguous_keys(main)      # focus in the editor: both answer P
    assert ("P", "QMainWindow") not in ambiguous_keys(main)  # elsewhere only the window's
