"""Menus and tool bar of the main window, built from its slots (and nothing else)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QMainWindow, QMenu, QToolBar

from gui.labels_export import open_labels_export
from gui.shortcuts import make_action, show_shortcuts


@dataclass
class WindowActions:
    open_folder: QAction
    open_run: QAction
    export_model: QAction
    export_labels: QAction
    quit: QAction
    fit: QAction
    actual_size: QAction
    review_next: QAction
    review_previous: QAction
    train: QAction
    stop: QAction
    compare_runs: QAction
    shortcuts_help: QAction
    about: QAction
    recent_menu: QMenu
    task_box: QComboBox


def build_actions(window) -> WindowActions:
    """``window`` provides the slots named below (see MainWindow)."""
    actions = WindowActions(  # keys, texts and tips: gui/shortcuts.py
        open_folder=make_action(window, "file.open_folder", window.choose_dataset_folder),
        open_run=make_action(window, "file.open_run", window.choose_run),
        export_model=make_action(window, "file.export_model", window.export_model),
        export_labels=make_action(window, "file.export_labels", lambda: open_labels_export(window)),
        quit=make_action(window, "file.quit", window.close),
        fit=make_action(window, "view.fit", lambda: (window.editor.canvas.fit() if window.is_annotating()
                                                     else window.viewer.view.fit())),
        actual_size=make_action(window, "view.actual_size", window.viewer.view.actual_size),
        review_next=make_action(window, "review.next", window.review.next),
        review_previous=make_action(window, "review.previous", window.review.previous),
        train=make_action(window, "train.start", window.start_training),
        stop=make_action(window, "train.stop", window.training.stop),
        compare_runs=make_action(window, "train.compare", window.training.compare_runs),
        shortcuts_help=make_action(window, "help.shortcuts", lambda: show_shortcuts(window)),
        about=make_action(window, "help.about", window.show_about),
        recent_menu=QMenu("Open recent", window),
        task_box=QComboBox(),
    )
    for action, short in ((actions.open_folder, "Open folder"), (actions.review_next, "Next ▶"),
                          (actions.review_previous, "◀ Previous"), (actions.stop, "Stop"),
                          (actions.export_model, "Export")):
        action.setIconText(short)
    actions.task_box.setToolTip("Which data to work on: a built-in demo or the folder you opened")
    actions.task_box.setMinimumWidth(170)
    return actions


def build_menus(window: QMainWindow, actions: WindowActions, docks: list) -> None:
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(actions.open_folder)
    file_menu.addMenu(actions.recent_menu)
    file_menu.addAction(actions.open_run)
    file_menu.addSeparator()
    file_menu.addAction(actions.export_model)
    file_menu.addAction(actions.export_labels)
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    view_menu = bar.addMenu("&View")
    for action in (actions.fit, actions.actual_size):
        view_menu.addAction(action)
    view_menu.addSeparator()
    view_menu.addAction(actions.review_next)
    view_menu.addAction(actions.review_previous)
    view_menu.addSeparator()
    for dock in docks:
        view_menu.addAction(dock.toggleViewAction())
    train_menu = bar.addMenu("&Train")
    for action in (actions.train, actions.stop, actions.compare_runs):
        train_menu.addAction(action)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(actions.shortcuts_help)
    help_menu.addAction(actions.about)


def build_tool_bar(window: QMainWindow, actions: WindowActions) -> QToolBar:
    tool_bar = QToolBar("Main", window)
    tool_bar.setObjectName("main_tool_bar")
    tool_bar.setMovable(False)
    tool_bar.addAction(actions.open_folder)
    tool_bar.addWidget(actions.task_box)
    tool_bar.addSeparator()
    tool_bar.addAction(actions.open_run)
    tool_bar.addAction(actions.train)
    tool_bar.addAction(actions.stop)
    tool_bar.addSeparator()
    tool_bar.addAction(actions.review_previous)
    tool_bar.addAction(actions.review_next)
    tool_bar.addSeparator()
    tool_bar.addAction(actions.export_model)
    window.addToolBar(tool_bar)
    return tool_bar
