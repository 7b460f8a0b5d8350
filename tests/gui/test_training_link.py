"""While training, the window reloads the running model at most once a second."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gui.training_link import MIN_RELOAD_INTERVAL_MS, TrainingLink


class FakePanel(QObject):
    run_started = Signal(str)
    epoch_finished = Signal(object)
    run_finished = Signal(str, str, str)


class FakePrediction:
    def __init__(self):
        self.loads: list[str] = []

    def load_run(self, run_dir: str) -> None:
        self.loads.append(run_dir)


def test_fast_epochs_coalesce_into_one_reload_per_interval(qtbot, tmp_path):
    panel, prediction = FakePanel(), FakePrediction()
    link = TrainingLink(panel, prediction)
    panel.run_started.emit(str(tmp_path))
    for _ in range(5):
        panel.epoch_finished.emit(None)
    assert prediction.loads == [str(tmp_path)]           # the first epoch at once
    qtbot.waitUntil(lambda: len(prediction.loads) == 2, timeout=MIN_RELOAD_INTERVAL_MS * 3)
    qtbot.wait(MIN_RELOAD_INTERVAL_MS + 200)
    assert len(prediction.loads) == 2                    # the other four became one
    link.deleteLater()


def test_the_finished_run_cancels_a_pending_reload(qtbot, tmp_path):
    panel, prediction = FakePanel(), FakePrediction()
    link = TrainingLink(panel, prediction)
    panel.run_started.emit(str(tmp_path))
    panel.epoch_finished.emit(None)
    panel.epoch_finished.emit(None)                      # pending behind the cool-down
    panel.run_finished.emit("", "cancelled", "")         # no weights: nothing to load
    qtbot.wait(MIN_RELOAD_INTERVAL_MS + 200)
    assert prediction.loads == [str(tmp_path)]
    link.deleteLater()
