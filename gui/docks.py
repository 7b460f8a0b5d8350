"""The main window's docks and first layout: one named dock per panel (``saveState``
needs names), the first window on the screen's free area, dock proportions that leave
the image the most room; a layout saved by an earlier session wins."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

FALLBACK_SIZE = (1500, 920)  # when the screen reports no free area
SIDE_WIDTHS_PX = (340, 400)  # dataset browser, right-hand docks
TRAIN_DOCK_SHARE = 0.38  # of the window's height


def add_dock(window: QMainWindow, title: str, name: str, widget: QWidget,
             area: Qt.DockWidgetArea) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    window.addDockWidget(area, dock)
    return dock


def fit_to_screen(window: QMainWindow) -> None:
    """The first window takes the screen's free area (restored geometry wins later)."""
    screen = window.screen()
    if screen is None or screen.availableGeometry().width() <= 0:
        window.resize(*FALLBACK_SIZE)
        return
    window.setGeometry(screen.availableGeometry())


def restore_layout(window: QMainWindow, geometry, state, left: QDockWidget, right: QDockWidget,
                   bottom: QDockWidget) -> None:
    """The saved geometry and dock state, or the default proportions once the window is laid out."""
    if geometry is not None:
        window.restoreGeometry(geometry)
    if state is None or not window.restoreState(state):
        QTimer.singleShot(0, lambda: default_dock_sizes(window, left, right, bottom))


def default_dock_sizes(window: QMainWindow, left: QDockWidget, right: QDockWidget,
                       bottom: QDockWidget) -> None:
    window.resizeDocks([left, right], list(SIDE_WIDTHS_PX), Qt.Orientation.Horizontal)
    window.resizeDocks([bottom], [int(window.height() * TRAIN_DOCK_SHARE)], Qt.Orientation.Vertical)
