"""Real runs in the window: open a run (torch and NumPy), predictions, inspector, review queue."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.inference import Predictor
from core.ranking import class_entropy
from core.training.api import train
from core.runs.config import TrainConfig

pytestmark = pytest.mark.gui
DEMO_SIZE = 120


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, str]:
    """One tiny MNIST run per engine, trained once for this module."""
    folder = tmp_path_factory.mktemp("runs")
    made = {}
    for engine in ("torch", "numpy"):
        config = TrainConfig(task="mnist", engine=engine, epochs=1, limit=64, batch_size=16,
                             demo_size=DEMO_SIZE, augment=False, out=str(folder / engine))
        assert train(config)["status"] == "finished"
        made[engine] = config.out
    return made


@pytest.fixture
def window(open_main_window):
    return open_main_window("mnist", demo_size=DEMO_SIZE)


@pytest.mark.parametrize("engine", ["torch", "numpy"])
def test_open_run_predicts_and_inspects(window, qtbot, runs, engine):
    window.inspector_dock.raise_()  # the inspector computes only while visible
    with qtbot.waitSignal(window.prediction_shown, timeout=30_000):
        window.open_run(runs[engine])
    assert window.prediction.info.run_dir == runs[engine]
    expected = Predictor.from_run(runs[engine]).predict(window.current_sample.image)
    np.testing.assert_allclose(window.prediction_panel.chart.probabilities, expected,
                               rtol=1e-4, atol=1e-6)
    assert engine in window.model_label.text()
    qtbot.waitUntil(lambda: window.inspector.last_result is not None, timeout=30_000)
    result = window.inspector.last_result
    filters = Predictor.from_run(runs[engine]).first_layer_filters()
    assert result["filter_shape"] == filters.shape
    assert result["map_shape"][0] == filters.shape[0]  # one feature map per first-layer filter
    assert result["filters"].dtype == np.uint8 and result["maps"].ndim == 2
    assert window.inspector.filters_view.pixmap() is not None
    assert not window.inspector.hint.isVisible()


def test_review_queue_ranks_by_uncertainty_and_walks(window, qtbot, runs):
    window.browser.set_split("val")
    with qtbot.waitSignal(window.prediction_shown, timeout=30_000):
        window.open_run(runs["torch"])
    window.review_dock.raise_()
    review = window.review
    assert review.rank_button.isEnabled()
    review.set_ranking("entropy")
    with qtbot.waitSignal(review.scores_ready, timeout=60_000):
        qtbot.mouseClick(review.rank_button, Qt.MouseButton.LeftButton)
    val = window.dataset.splits["val"]
    assert sorted(review.queue.tolist()) == sorted(val.tolist())
    predictor = Predictor.from_run(runs["torch"])
    entropy = np.array([class_entropy(predictor.predict(window.dataset[int(i)].image))
                        for i in review.queue])
    assert np.all(np.diff(entropy) <= 1e-6), "queue must go from most to least uncertain"

    window.activateWindow()
    window.setFocus()
    window.actions.review_next.trigger()
    assert window.current_item == int(review.queue[0])
    window.actions.review_next.trigger()
    assert window.current_item == int(review.queue[1])
    window.actions.review_previous.trigger()
    assert window.current_item == int(review.queue[0])

    # the browser can sort by the same scores
    window.browser.set_sort_key("uncertainty")
    assert window.browser.visible_indices().tolist() == review.queue.tolist()
    assert not review.scorer.running
    window.review.set_ranking("error")
    errors = np.array([1 - predictor.predict(window.dataset[int(i)].image)[
        int(window.dataset[int(i)].target)] for i in review.queue])
    assert np.all(np.diff(errors) <= 1e-6)


def test_choosing_a_model_order_ranks_the_images(window, qtbot, runs):
    window.browser.set_split("test")
    with qtbot.waitSignal(window.prediction_shown, timeout=30_000):
        window.open_run(runs["numpy"])
    with qtbot.waitSignal(window.review.scores_ready, timeout=60_000):
        window.browser.set_sort_key("error")
    order = window.browser.visible_indices()
    assert sorted(order.tolist()) == sorted(window.dataset.splits["test"].tolist())
    errors = window.browser.model.scores["error"][order]
    assert np.all(np.diff(errors) <= 1e-9), "worst first"


def test_export_model_opens_the_dialog_for_the_current_run(window, qtbot, runs):
    window.actions.export_model.trigger()  # no model yet: says so, opens nothing
    assert "no model to export" in window.error_box.text()
    assert window.export_dialog is None
    with qtbot.waitSignal(window.prediction_shown, timeout=30_000):
        window.open_run(runs["torch"])
    window.actions.export_model.trigger()
    dialog = window.export_dialog
    assert dialog.isVisible() and dialog.run_dir == runs["torch"]
    assert dialog.dataset is window.dataset
