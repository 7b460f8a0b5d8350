"""The main window driven as a user would: demo data, browsing, overlays, errors, settings."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent

from gui.data_source import DataChoice
from gui.main_window import MainWindow
from gui.settings import AppSettings
from main_window_fakes import FakeClassifier, FakeSegmenter

pytestmark = pytest.mark.gui
DEMO_SIZE = 120


@pytest.fixture
def make_window(open_main_window):
    def make(task: str | None = "mnist", data: str | None = None) -> MainWindow:
        return open_main_window(task, demo_size=DEMO_SIZE, data=data)

    return make


def choose(qtbot, window: MainWindow, item: int) -> None:
    window.browser.select(item)
    qtbot.waitUntil(lambda: window.current_item == item, timeout=2000)


def test_opens_demo_digits_and_shows_the_first_image(make_window, qtbot):
    window = make_window()
    assert window.dataset.task == "mnist"
    assert window.browser.model.rowCount() == DEMO_SIZE
    assert window.current_item == int(window.browser.visible_indices()[0])
    assert window.viewer.view.image.shape == (28, 28)
    assert "label" in window.viewer.title.text()
    # no model yet: a helpful hint, not an empty chart
    assert window.prediction_panel.pages.currentIndex() == 0
    assert "Train a model or open a run" in window.prediction_panel.hint.text()
    # thumbnails are decoded off the UI thread and arrive in the cache
    qtbot.waitUntil(lambda: len(window.browser.model._cache) > 0, timeout=5000)


def test_selecting_images_updates_viewer_and_status_pixel(make_window, qtbot):
    window = make_window()
    choose(qtbot, window, 7)
    sample = window.dataset[7]
    assert np.array_equal(window.viewer.view.image, sample.image)
    assert sample.item_id in window.viewer.title.text()
    view = window.viewer.view
    settled = None
    while settled != view.size():  # docks finish laying out; a resize re-fits the image
        settled = view.size()
        qtbot.wait(100)
    view.fit()
    centre = view.mapFromScene(QPointF(14.5, 10.5))
    qtbot.mouseMove(view.viewport(), centre)
    qtbot.waitUntil(lambda: window.pixel_label.text().startswith("x "), timeout=2000)
    position, value = window.pixel_label.text()[2:].split(": ")
    x, y = (int(part.strip(" y")) for part in position.split(","))
    assert abs(x - 14) <= 1 and abs(y - 10) <= 1  # the layout may settle by a pixel
    assert int(value) == int(sample.image[y, x])


def test_wheel_zooms_and_one_to_one_resets(make_window, qtbot):
    window = make_window()
    view = window.viewer.view
    view.fit()
    fitted = view.scale_factor
    wheel = QWheelEvent(QPointF(50, 50), QPointF(50, 50), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    view.wheelEvent(wheel)
    assert view.scale_factor == pytest.approx(fitted * 1.25 ** 2)
    view.actual_size()
    assert view.scale_factor == 1.0
    assert window.viewer.zoom_label.text() == "100%"


def test_split_filter_and_label_sort(make_window, qtbot):
    window = make_window()
    browser = window.browser
    browser.set_split("val")
    assert set(browser.visible_indices()) == set(window.dataset.splits["val"].tolist())
    browser.set_sort_key("label")
    labels = np.asarray(window.dataset.targets)[browser.visible_indices()]
    assert np.all(np.diff(labels) >= 0)


def test_classification_prediction_draws_probability_chart(make_window, qtbot):
    window = make_window()
    predictor = FakeClassifier(window.dataset.class_names)
    with qtbot.waitSignal(window.prediction_shown, timeout=5000):
        window.prediction.set_predictor("runs/fake", predictor)
    panel = window.prediction_panel
    assert panel.pages.currentIndex() == 1
    expected = predictor.predict(window.current_sample.image)
    heights = panel.chart.probabilities
    np.testing.assert_allclose(heights, expected)
    true_label = int(window.current_sample.target)
    assert panel.chart.true_tag.isVisible()
    assert panel.chart.true_tag.pos().y() == pytest.approx(true_label)
    assert f"true {window.dataset.class_names[true_label]}" in panel.summary.text()
    # another image -> a new prediction off the UI thread
    with qtbot.waitSignal(window.prediction_shown, timeout=5000):
        choose(qtbot, window, 11)
    np.testing.assert_allclose(panel.chart.probabilities,
                               predictor.predict(window.dataset[11].image))


def test_segmentation_overlays_prediction_truth_and_errors(make_window, qtbot):
    window = make_window("carvana")
    assert window.dataset.kind == "segmentation"
    assert window.viewer.overlay_row.isVisibleTo(window)
    with qtbot.waitSignal(window.prediction_shown, timeout=5000):
        window.prediction.set_predictor("runs/fake-seg", FakeSegmenter())
    viewer, sample = window.viewer, window.current_sample
    probabilities = FakeSegmenter().predict(sample.image)
    assert viewer.overlay_mode == "prediction"
    overlay = viewer.view.overlay_item.pixmap().toImage()
    assert (overlay.width(), overlay.height()) == (sample.image.shape[1], sample.image.shape[0])
    y, x = np.argwhere(probabilities >= 0.5)[0]
    assert overlay.pixelColor(int(x), int(y)).alpha() == 255
    viewer.opacity_slider.setValue(80)
    assert viewer.view.overlay_item.opacity() == pytest.approx(0.8)
    viewer.set_overlay_mode("errors")
    errors = viewer.view.overlay_item.pixmap().toImage()
    truth = sample.target > 0
    predicted = probabilities >= 0.5
    fp = np.argwhere(predicted & ~truth)
    fn = np.argwhere(~predicted & truth)
    assert len(fp) and len(fn), "the fake segmenter should make both kinds of mistakes"
    assert errors.pixelColor(int(fp[0][1]), int(fp[0][0])).red() > 200
    assert errors.pixelColor(int(fn[0][1]), int(fn[0][0])).blue() > 200
    assert errors.pixelColor(int(fn[0][1]), int(fn[0][0])).red() < 100
    fields = window.prediction_panel.mask_fields
    assert fields["False positives"].text() == f"{len(fp):,} px"


def test_task_selector_switches_demo_data(make_window, qtbot):
    window = make_window()
    box = window.actions.task_box
    row = box.findText("CIFAR-10 demo")
    with qtbot.waitSignal(window.dataset_shown, timeout=20_000):
        box.setCurrentIndex(row)
        box.activated.emit(row)
    assert window.dataset.task == "cifar10"
    assert window.viewer.view.image.shape == (32, 32, 3)
    assert not window.viewer.overlay_row.isVisibleTo(window)


def test_model_of_another_task_shows_a_hint_not_nonsense(make_window, qtbot):
    window = make_window("carvana")
    window.prediction.set_predictor("runs/digits", FakeClassifier([str(d) for d in range(10)]))
    assert "does not fit" in window.prediction_panel.hint.text()
    assert window.prediction_panel.pages.currentIndex() == 0


def test_grey_digit_model_on_colour_cifar_is_refused_by_every_panel(make_window, qtbot):
    window = make_window("cifar10")
    window.prediction.set_predictor("runs/digits", FakeClassifier([str(d) for d in range(10)]))
    hint = window.prediction_panel.hint.text()
    assert "does not fit" in hint and "grey" in hint
    assert window.prediction_panel.pages.currentIndex() == 0
    assert window.inspector.predictor is None and window.review._predictor is None


def test_bad_dataset_folder_shows_one_line_error(make_window, qtbot, tmp_path):
    window = make_window()
    missing = tmp_path / "nowhere"
    with qtbot.waitSignal(window.source.failed, timeout=5000):
        window.open_path(str(missing))
    qtbot.waitUntil(lambda: window.error_box is not None and window.error_box.isVisible())
    assert str(missing) in window.error_box.text()
    assert "\n" not in window.error_box.text()
    assert window.dataset.task == "mnist"  # still usable on the previous data


def test_bad_run_folder_shows_error(make_window, tmp_path):
    window = make_window()
    window.open_run(str(tmp_path))
    assert "not a run directory" in window.error_box.text()
    assert window.prediction.info is None


def test_settings_remember_layout_and_datasets(make_window, qtbot, tmp_path):
    window = make_window("carvana")
    window.resize(1234, 777)
    window.inspector_dock.raise_()
    window.close()
    settings = AppSettings()
    assert settings.last_dataset() == (None, "carvana")
    assert settings.window_geometry() is not None
    settings.add_recent_dataset(str(tmp_path / "a"))
    settings.add_recent_dataset(str(tmp_path / "b"))
    settings.add_recent_dataset(str(tmp_path / "a"))
    assert settings.recent_datasets() == [str(tmp_path / "a"), str(tmp_path / "b")]
    again = make_window(task=None)  # reopens the last dataset
    assert again.dataset.task == "carvana"
    assert again.choice == DataChoice(None, "carvana")


def write_class_folder(root) -> None:
    """A tiny folder-of-classes dataset in the real layout: one subfolder per class."""
    import cv2

    rng = np.random.default_rng(0)
    for name in ("cat", "dog"):
        (root / name).mkdir(parents=True)
        for number in range(6):
            image = rng.integers(0, 256, size=(20, 24, 3), dtype=np.uint8)
            cv2.imwrite(str(root / name / f"{name}{number}.png"), image)


def test_dropping_a_folder_opens_it_and_remembers_it(make_window, qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDropEvent

    window = make_window()
    folder = tmp_path / "pets"
    write_class_folder(folder)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    drop = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.dataset_shown, timeout=20_000):
        window.dropEvent(drop)
    assert window.dataset.task == "folder" and window.dataset.class_names == ["cat", "dog"]
    assert window.browser.model.rowCount() == 12
    assert window.actions.task_box.currentText() == "Folder: pets"
    assert AppSettings().recent_datasets()[0] == str(folder)
    window.actions.recent_menu.aboutToShow.emit()
    assert [a.text() for a in window.actions.recent_menu.actions()] == [str(folder)]
    # back to a demo and again to the folder through the task selector
    box = window.actions.task_box
    with qtbot.waitSignal(window.dataset_shown, timeout=20_000):
        box.activated.emit(box.findText("MNIST demo"))
    with qtbot.waitSignal(window.dataset_shown, timeout=20_000):
        box.activated.emit(box.findText("Folder: pets"))
    assert window.dataset.root == str(folder)


def test_review_queue_ranks_masks_by_mean_pixel_uncertainty(make_window, qtbot):
    from core.ranking import mask_uncertainty

    window = make_window("carvana")
    window.browser.set_split("val")
    segmenter = FakeSegmenter()
    with qtbot.waitSignal(window.prediction_shown, timeout=5000):
        window.prediction.set_predictor("runs/fake-seg", segmenter)
    window.review.set_ranking("entropy")
    with qtbot.waitSignal(window.review.scores_ready, timeout=30_000):
        window.review.start_ranking()
    queue = window.review.queue
    assert sorted(queue.tolist()) == sorted(window.dataset.splits["val"].tolist())
    values = [mask_uncertainty(segmenter.predict(window.dataset[int(i)].image)) for i in queue]
    assert values == sorted(values, reverse=True)
    window.review.next()
    assert window.current_item == int(queue[0])
    assert window.prediction_panel.pages.currentIndex() == 2  # mask statistics


def test_annotate_tab_follows_the_image_and_retrains_on_corrections(make_window, qtbot):
    window = make_window("carvana")
    with qtbot.waitSignal(window.prediction_shown, timeout=5000):
        window.prediction.set_predictor("runs/fake-seg", FakeSegmenter())
    editor = window.editor
    window.tabs.setCurrentWidget(window.annotate_page)
    assert editor.item_id == window.current_sample.item_id
    np.testing.assert_allclose(editor.prediction, FakeSegmenter().predict(window.current_sample.image))
    with qtbot.waitSignal(window.prediction_shown, timeout=5000):
        choose(qtbot, window, 3)
    assert editor.item_id == window.dataset.item_id(3)
    started = []
    window.training.start = started.append
    editor.train_on_corrections_requested.emit("/masks")
    assert started == [{"mask_overrides": "/masks", "changed_pixel_weight": 3.0, "epochs": 3,
                        "init_from": "runs/fake-seg"}]
