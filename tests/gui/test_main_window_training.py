"""Training from the window with the real engine: curves grow, predictions refresh, Stop works.

How long the UI thread stalls while training is measured by bench/gui.py (a ratio against the
idle window), not asserted here: wall-clock limits fail on a busy machine."""

from __future__ import annotations

import numpy as np
import pytest

from gui.settings import open_settings

pytestmark = pytest.mark.gui


@pytest.fixture
def window(open_main_window, tmp_path):
    open_settings().setValue("train/runs_folder", str(tmp_path / "runs"))
    return open_main_window("mnist", demo_size=160)


def test_train_watch_learn_and_stop(window, qtbot):
    panel = window.train_panel
    window.browser.select(5)
    qtbot.waitUntil(lambda: window.current_item == 5)
    with qtbot.waitSignal(panel.run_started, timeout=30_000) as started:
        panel.start_training({"engine": "torch", "epochs": 500, "limit": 64, "batch_size": 16,
                              "demo_size": 160, "augment": False})
    run_dir = started.args[0]
    assert window.training.training_run == run_dir and not window.actions.train.isEnabled()

    with qtbot.waitSignal(panel.epoch_finished, timeout=90_000):
        pass
    # the model of the running run is reloaded and predicts the image on screen
    with qtbot.waitSignal(window.prediction_shown, timeout=30_000):
        pass
    assert window.prediction.info.run_dir == run_dir
    assert window.prediction_panel.pages.currentIndex() == 1
    heights = np.asarray(window.prediction_panel.chart.probabilities)
    assert heights.shape == (10,) and heights.sum() == pytest.approx(1.0, abs=1e-4)
    qtbot.wait(2500)  # training goes on: epochs end, the model reloads, curves redraw
    assert panel.is_training, "the run should still be going (raise epochs if this fails)"
    qtbot.waitUntil(lambda: len(panel.curves.curve_data("train_loss")[0]) >= 2, timeout=5000)
    assert np.all(np.isfinite(panel.curves.curve_data("train_loss")[1]))

    with qtbot.waitSignal(panel.run_finished, timeout=60_000) as finished:
        window.actions.stop.trigger()
    assert finished.args[0] == run_dir and finished.args[1] == "cancelled"
    assert window.actions.train.isEnabled() and not window.actions.stop.isEnabled()
    assert "cancelled" in window.statusBar().currentMessage()

