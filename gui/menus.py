"""Menus and tool bar of the main window, built from its slots (and nothing else)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QMainWindow, QMenu, QToolBar


@dataclass
class WindowActions:
    open_folder: QAction
    open_run: QAction
    export_model: QAction
    quit: QAction
    fit: QAction
    actual_size: QAction
    review_next: QAction
    review_previous: QAction
    train: QAction
    stop: QAction
    compare_runs: QAction
    about: QAction
    recent_menu: QMenu
    task_box: QComboBox


def _action(window: QMainWindow, text: str, slot, shortcut=None, tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip or text.replace("…", ""))
    action.setToolTip(tip or text.replace("…", ""))
    action.triggered.connect(slot)
    return action


def build_actions(window) -> WindowActions:
    """``window`` provides the slots named below (see MainWindow)."""
    actions = WindowActions(
        open_folder=_action(window, "Open dataset folder…", window.choose_dataset_folder,
                            QKeySequence.StandardKey.Open, "Open a dataset folder (or drop one on the window)"),
        open_run=_action(window, "Open run…", window.choose_run, "Ctrl+R",
                         "Use a trained run's model for predictions"),
        export_model=_action(window, "Export model…", window.export_model, "Ctrl+E",
                             "Export the current model to ONNX (optionally int8)"),
        quit=_action(window, "Quit", window.close, QKeySequence.StandardKey.Quit),
        fit=_action(window, "Fit image", window.viewer.view.fit, "F"),
        actual_size=_action(window, "Actual size (1:1)", window.viewer.view.actual_size, "1"),
        review_next=_action(window, "Next in review queue", window.review.next, "N"),
        review_previous=_action(window, "Previous in review queue", window.review.previous, "P"),
        train=_action(window, "Train", window.start_training, "Ctrl+T",
                      "Train a model on the current dataset"),
        stop=_action(window, "Stop training", window.training.stop, "Ctrl+.",
                     "Stop the run after the current batch"),
        compare_runs=_action(window, "Compare runs…", window.training.compare_runs),
        about=_action(window, "About CNN-Lytical", window.show_about),
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
    bar.addMenu("&Help").addAction(actions.about)


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
