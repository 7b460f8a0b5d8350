"""MainWindow: puts the panels together and routes what happens between them.

Layout: the dataset browser on the left, the image (View / Annotate tabs) in
the middle, prediction, review queue and inspector on the right, training at
the bottom. Each panel lives in its own module; this class only wires them:
current image -> viewer, prediction service, inspector, mask editor;
training events -> model reload -> predictions refresh.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox,
                               QTabWidget)

from core.compat import DataProfile, data_profile
from gui.annotation.editor import MaskEditor
from gui.annotation.workspace import AnnotateWorkspace
from gui.browser.edit_marks import link_editor, sync_edit_marks
from gui.browser.panel import BrowserPanel
from gui.data_source import DEMO_CHOICES, DataChoice, DatasetSource
from gui.docks import add_dock, fit_to_screen, restore_layout
from gui.inspector.panel import InspectorPanel
from gui.menus import build_actions, build_menus, build_tool_bar
from gui.prediction.panel import PredictionPanel
from gui.prediction.service import ModelInfo, PredictionService
from gui.review.panel import ReviewPanel
from gui.settings import AppSettings
from gui.train.panel import TrainPanel
from gui.training_link import TrainingLink
from gui.viewer.panel import ViewerPanel
from gui.viewer.sample_loader import SampleLoader
from gui.workers import describe_error
from gui.window_support import DropOpener, item_title, model_text, unfit_reason


class MainWindow(QMainWindow):
    """Signals for tests and scripts: ``dataset_shown(dataset)``, ``prediction_shown(item)``."""

    dataset_shown = Signal(object)
    prediction_shown = Signal(int)

    def __init__(self, demo_size: int | None = None, settings: AppSettings | None = None):
        super().__init__()
        self.setWindowTitle("CNN-Lytical")
        self.settings = settings or AppSettings()
        self.dataset = None
        self.data_profile: DataProfile | None = None
        self.choice: DataChoice | None = None
        self.opened_folder: DataChoice | None = None
        self.current_item: int | None = None
        self.current_sample = None
        self.current_prediction: np.ndarray | None = None
        self.error_box: QMessageBox | None = None
        self.export_dialog = None
        self.source = DatasetSource(demo_size, self)
        self.prediction = PredictionService(parent=self)
        self.samples = SampleLoader(self)  # decoded images, off the UI thread
        self._requested_item: int | None = None
        self._build_panels()
        self.actions = build_actions(self)
        build_menus(self, self.actions, self.dock_widgets())
        build_tool_bar(self, self.actions)
        self._build_status_bar()
        self._connect()
        self._refresh_task_box()
        self._refresh_recent_menu()
        self.setAcceptDrops(True)
        self.drop_opener = DropOpener(self.open_path)
        fit_to_screen(self)
        restore_layout(self, self.settings.window_geometry(), self.settings.window_state(),
                       self.browser_dock, self.prediction_dock, self.train_dock)
        self.actions.stop.setEnabled(False)

    # --- building -----------------------------------------------------------------------
    def _build_panels(self) -> None:
        self.browser = BrowserPanel()
        self.viewer = ViewerPanel()
        self.prediction_panel = PredictionPanel()
        self.review = ReviewPanel(self.prediction.pool)
        self.inspector = InspectorPanel(self.prediction.pool)
        self.editor = MaskEditor()
        self.view_page, self.annotate_page = self.viewer, self.editor
        self.tabs = QTabWidget()
        self.tabs.addTab(self.view_page, "View")
        self.tabs.addTab(self.annotate_page, "Annotate")
        self.setCentralWidget(self.tabs)
        self.train_panel = TrainPanel()
        self.training = TrainingLink(self.train_panel, self.prediction, self)
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.browser_dock = add_dock(self, "Dataset", "browser_dock", self.browser, left)
        self.prediction_dock = add_dock(self, "Prediction", "prediction_dock",
                                        self.prediction_panel, right)
        self.review_dock = add_dock(self, "Review queue", "review_dock", self.review, right)
        self.inspector_dock = add_dock(self, "Inspector", "inspector_dock", self.inspector, right)
        self.train_dock = add_dock(self, "Train", "train_dock", self.train_panel, bottom)
        self.tabifyDockWidget(self.prediction_dock, self.review_dock)
        self.tabifyDockWidget(self.review_dock, self.inspector_dock)
        self.prediction_dock.raise_()

    def dock_widgets(self) -> list[QDockWidget]:
        """Every dock, in the order the View menu lists them."""
        return [self.browser_dock, *self.side_docks(), self.train_dock]

    def side_docks(self) -> list[QDockWidget]:
        """The right-hand docks (tabbed together): prediction, review queue, inspector."""
        return [self.prediction_dock, self.review_dock, self.inspector_dock]

    def is_annotating(self) -> bool:
        return self.tabs.currentWidget() is self.annotate_page

    def _build_status_bar(self) -> None:
        self.pixel_label, self.model_label = QLabel(), QLabel("No model")
        self.pixel_label.setMinimumWidth(220)
        self.statusBar().addPermanentWidget(self.pixel_label)
        self.statusBar().addPermanentWidget(self.model_label)

    def _connect(self) -> None:
        self.source.opened.connect(self._on_dataset_opened)
        self.source.failed.connect(lambda choice, message: self.show_error(
            "Cannot open the dataset", message))
        self.source.busy_changed.connect(self._on_source_busy)
        self.browser.current_changed.connect(self.show_item)
        self.samples.loaded.connect(self._on_sample_loaded)
        self.samples.failed.connect(self._show_unreadable)
        self.browser.order_changed.connect(
            lambda: self.review.set_source(self.dataset, self.browser.visible_indices()))
        self.viewer.pixel_hovered.connect(self.pixel_label.setText)
        self.prediction.model_changed.connect(self._on_model_changed)
        self.prediction.model_failed.connect(self._on_model_failed)
        self.prediction.prediction_ready.connect(self._on_prediction_ready)
        self.prediction.prediction_failed.connect(
            lambda message: self.prediction_panel.show_hint(f"Prediction failed: {message}", False))
        self.prediction_panel.train_requested.connect(self.start_training)
        self.prediction_panel.open_run_requested.connect(self.choose_run)
        self.browser.scores_wanted.connect(self.review.start_ranking)
        self.review.item_chosen.connect(self.browser.select)
        self.review.scores_ready.connect(self.browser.set_scores)
        self.inspector_dock.visibilityChanged.connect(self.inspector.set_active)
        self.actions.task_box.activated.connect(self._on_task_chosen)
        self.actions.recent_menu.aboutToShow.connect(self._refresh_recent_menu)
        self.tabs.currentChanged.connect(lambda _index: self._update_editor())
        self.workspace = AnnotateWorkspace([self.train_dock, *self.side_docks()])  # the canvas gets the room
        self.tabs.currentChanged.connect(lambda _index: self.workspace.follow(self.is_annotating()))
        self.editor.train_on_corrections_requested.connect(self.train_on_corrections)
        self.editor.scribbles.trained_changed.connect(self._on_assist_trained)
        link_editor(self.editor, self.browser)  # badges on edited thumbnails
        self.training.running_changed.connect(self._on_training_running)
        self.training.status.connect(self.statusBar().showMessage)

    # --- datasets -----------------------------------------------------------------------
    def open_initial(self, data: str | None = None, task: str | None = None,
                     run: str | None = None) -> None:
        """What ``python main.py [--data] [--task] [--run]`` opens (else the last dataset)."""
        if data is None and task is None:
            data, task = self.settings.last_dataset()
        self.open_dataset(DataChoice(data, task if data is None else task))
        run = run or self.settings.last_run()
        if run and Path(run).is_dir():
            self.open_run(run)

    def open_dataset(self, choice: DataChoice) -> None:
        self.statusBar().showMessage(f"Opening {choice.title}…")
        self.source.request(choice)

    def open_path(self, path: str) -> None:
        self.open_dataset(DataChoice(path, None))

    def choose_dataset_folder(self) -> None:
        start = self.choice.path if self.choice and self.choice.path else str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Open dataset folder", start)
        if folder:
            self.open_path(folder)

    def _on_dataset_opened(self, choice: DataChoice, dataset) -> None:
        self.choice, self.dataset = choice, dataset
        self.data_profile = data_profile(dataset)
        if choice.path is not None:
            self.opened_folder = choice
        self.settings.set_last_dataset(choice.path, dataset.task)
        self.setWindowTitle(f"CNN-Lytical — {choice.title}")
        self.current_item = None
        self.samples.set_dataset(dataset)
        self.viewer.set_segmentation(dataset.kind == "segmentation")
        self.viewer.set_overlay_mode("prediction" if dataset.kind == "segmentation" else "none")
        self.train_panel.set_dataset(choice.path, dataset.task, dataset.kind)
        if dataset.kind == "segmentation":
            self.editor.set_dataset(dataset)  # masks go to its default folder for this dataset
        self.tabs.setTabEnabled(self.tabs.indexOf(self.annotate_page),
                                dataset.kind == "segmentation")
        if dataset.kind != "segmentation":
            self.tabs.setCurrentWidget(self.view_page)
        self.browser.set_dataset(dataset)
        if dataset.kind == "segmentation":
            sync_edit_marks(self.editor, self.browser)
        self._on_model_changed(self.prediction.info)
        self._refresh_task_box()
        self.statusBar().showMessage(f"{choice.title}: {len(dataset):,} images, "
                                     f"{dataset.kind}", 5000)
        self.dataset_shown.emit(dataset)

    def _on_source_busy(self, busy: bool) -> None:
        self.actions.task_box.setEnabled(not busy)
        self.actions.open_folder.setEnabled(not busy)

    def _refresh_task_box(self) -> None:
        box = self.actions.task_box
        box.blockSignals(True)
        box.clear()
        for task, title in DEMO_CHOICES.items():
            box.addItem(title, DataChoice(None, task))
        if self.opened_folder is not None:
            box.addItem(f"Folder: {Path(self.opened_folder.path).name}", self.opened_folder)
        for row in range(box.count()):
            if box.itemData(row) == self.choice:
                box.setCurrentIndex(row)
        box.blockSignals(False)

    def _on_task_chosen(self, row: int) -> None:
        choice = self.actions.task_box.itemData(row)
        if choice is not None and choice != self.choice:
            self.open_dataset(choice)

    def _refresh_recent_menu(self) -> None:
        menu = self.actions.recent_menu
        menu.clear()
        recent = self.settings.recent_datasets()
        for path in recent:
            menu.addAction(path, lambda checked=False, p=path: self.open_path(p))
        if not recent:
            menu.addAction("No recent datasets").setEnabled(False)

    # --- the current image --------------------------------------------------------------
    def show_item(self, item: int) -> None:
        """Shown at once when already decoded; else a placeholder now and the image when decoded."""
        if self.dataset is None:
            return
        self._requested_item = item
        try:
            ready = self.samples.cached(item)
        except Exception as error:  # an unreadable file: say so, keep browsing
            self._show_unreadable(item, describe_error(error))
            return
        neighbours = self._neighbours(item)
        if ready is None:
            self.viewer.show_loading(self.dataset.item_id(item))
            self.samples.request(item, neighbours)
            return
        self._show_sample(item, *ready)
        self.samples.prefetch(neighbours)

    def _neighbours(self, item: int, after: int = 2, before: int = 1) -> list[int]:
        """The items the user is likely to click next: around ``item`` in the browser's order."""
        order = self.browser.visible_indices()
        found = np.flatnonzero(order == item)
        if not len(found):
            return []
        row = int(found[0])
        rows = [*range(row + 1, row + 1 + after), *range(row - 1, row - 1 - before, -1)]
        return [int(order[r]) for r in rows if 0 <= r < len(order)]

    def _on_sample_loaded(self, item: int, sample, qimage) -> None:
        if item == self._requested_item:
            self._show_sample(item, sample, qimage)

    def _show_unreadable(self, item: int, message: str) -> None:
        if item == self._requested_item:
            self.viewer.clear(f"Cannot show {self.dataset.item_id(item)}: {message}")

    def _show_sample(self, item: int, sample, qimage) -> None:
        self.current_item, self.current_sample = item, sample
        image = np.asarray(sample.image)
        self.viewer.show_item(item_title(self.dataset, sample), image, sample.target, qimage)
        self.inspector.set_image(image)
        self.current_prediction = None
        self._update_editor()
        self.prediction.set_current(item, image)  # predicted when a model is (or gets) loaded

    def _on_prediction_ready(self, item: int, prediction: np.ndarray) -> None:
        if item != self.current_item or self.current_sample is None or not self._model_fits():
            return
        target = self.current_sample.target
        if prediction.ndim == 1:
            label = int(target) if isinstance(target, (int, np.integer)) else None
            self.prediction_panel.show_probabilities(prediction, self.dataset.class_names, label)
        else:
            truth = target if isinstance(target, np.ndarray) else None
            self.prediction_panel.show_mask(prediction, truth)
            self.viewer.set_prediction(prediction)
            self.current_prediction = prediction
            self._update_editor()
        self.prediction_shown.emit(item)

    def _update_editor(self) -> None:
        """The Annotate tab follows the current image (only while it is the visible tab)."""
        sample = self.current_sample
        if (sample is None or not self.is_annotating()
                or self.dataset is None or self.dataset.kind != "segmentation"):
            return
        truth = sample.target if isinstance(sample.target, np.ndarray) else None
        self.editor.set_item(sample.item_id, np.asarray(sample.image), truth,
                             self.current_prediction)

    # --- the current model --------------------------------------------------------------
    def _model_fits(self) -> bool:
        return self.prediction.info is not None and self._unfit_reason() is None

    def _unfit_reason(self) -> str | None:
        return unfit_reason(self.prediction.predictor, self.data_profile)

    def choose_run(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open run directory",
                                                  self.settings.last_run() or "runs")
        if folder:
            self.open_run(folder)

    def open_run(self, run_dir: str) -> None:
        """Use ``run_dir``'s model; a bad folder shows its one-line error."""
        from core.errors import CnnLyticalError
        from core.runs.run_dir import RunDir
        try:
            RunDir.open(run_dir)
        except CnnLyticalError as error:
            self.show_error("Cannot open the run", str(error))
            return
        self.statusBar().showMessage(f"Loading the model of {run_dir}…")
        self.prediction.load_run(run_dir)

    def _on_model_changed(self, info: ModelInfo | None) -> None:
        if info is not None and info.run_dir != self.training.training_run:
            self.statusBar().showMessage(f"Model loaded from {info.run_dir}", 5000)
        self.model_label.setText(model_text(info))
        self.prediction_panel.set_model_text(model_text(info) if info is not None else "")
        fits = self._model_fits()
        predictor = self.prediction.predictor if fits else None
        self.review.set_predictor(predictor)
        self.inspector.set_predictor(predictor)
        if info is not None and info.run_dir != self.training.training_run:
            self.settings.set_last_run(info.run_dir)
        if info is not None and not fits:
            self.prediction_panel.show_hint(
                f"The current model does not fit this dataset: {self._unfit_reason()}.\n"
                "Train a model here or open a matching run.")
            self.viewer.set_prediction(None)
        elif info is None:
            from gui.prediction.panel import NO_MODEL_HINT
            self.prediction_panel.show_hint(NO_MODEL_HINT)

    def _on_assist_trained(self, trained: bool) -> None:
        """Before any CNN, the scribble assist's pixel classifier can rank the review queue."""
        if self.prediction.predictor is None:
            self.review.set_predictor(self.editor.scribbles.predictor() if trained else None)

    def _on_model_failed(self, message: str) -> None:
        if self.training.training_run is None:
            self.show_error("Cannot load the model", message)
        self.statusBar().showMessage(message, 8000)

    # --- training -----------------------------------------------------------------------
    def start_training(self) -> None:
        self.train_dock.show()
        self.training.start()

    def train_on_corrections(self, masks_dir: str) -> None:
        """Fine-tune the current model on the user's corrected masks (from the Annotate tab)."""
        info = self.prediction.info
        self.train_dock.show()
        self.training.train_on_corrections(masks_dir, info.run_dir if self._model_fits() else None)

    def _on_training_running(self, running: bool) -> None:
        self.actions.train.setEnabled(not running)
        self.actions.stop.setEnabled(running)

    # --- export, about, errors ----------------------------------------------------------
    def export_model(self) -> None:
        info = self.prediction.info
        if info is None:
            self.show_error("Export model", "Train a model or open a run first: there is "
                                            "no model to export yet.")
            return
        from gui.export.dialog import ExportDialog  # its onnx/torch imports wait until needed

        self.export_dialog = ExportDialog(info.run_dir, self.dataset, self)
        if self.current_sample is not None:
            self.export_dialog.set_image(np.asarray(self.current_sample.image))
        self.export_dialog.show()

    def show_about(self) -> None:
        QMessageBox.about(self, "About CNN-Lytical",
                          "CNN-Lytical: browse images, train CNNs and watch them learn, "
                          "correct masks, export int8 ONNX models.")

    def show_error(self, title: str, message: str) -> None:
        """A non-blocking message box with the one-line message (never a crash)."""
        self.statusBar().showMessage(message, 10000)
        self.error_box = QMessageBox(QMessageBox.Icon.Warning, title, message,
                                     QMessageBox.StandardButton.Ok, self)
        self.error_box.open()

    # --- window life --------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        self.drop_opener.drag_enter(event)

    def dropEvent(self, event) -> None:
        self.drop_opener.drop(event)

    def shutdown(self) -> None:
        """Stop background work and wait for it (closing, tests)."""
        self.train_panel.shutdown()
        if self.export_dialog is not None:
            self.export_dialog.shutdown()
        self.review.stop()
        if self.editor.journal is not None:
            self.editor.journal.close()  # the last edits reach the disk
        self.browser.shutdown()
        self.prediction.wait()
        self.samples.wait()
        self.source.wait()

    def closeEvent(self, event) -> None:
        if not self.editor.confirm_close(self):  # unsaved masks: Save / Discard / Cancel
            event.ignore()
            return
        self.workspace.leave()  # save the layout with the docks the Annotate workspace hid
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.shutdown()
        super().closeEvent(event)
