"""The Train panel driven as a user would: options, Train, live curves, Stop, errors."""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtGui import QImage  # noqa: E402

from core.runs.config import TrainConfig  # noqa: E402
from core.runs.events import BatchEnd, EpochEnd, RunEnded, RunStarted  # noqa: E402
from core.runs.run_dir import RunDir  # noqa: E402
from gui.settings import open_settings  # noqa: E402
from gui.train.panel import TrainPanel  # noqa: E402

pytestmark = pytest.mark.gui
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ScriptedTrainer:
    """A stand-in engine with the trainer contract (events, cancel, run dir), fast and exact.

    It lets the panel's threading be tested independently of engine speed; the real
    engines are exercised by ``test_real_training_*`` below.
    """

    def __init__(self, batches: int = 5, batch_seconds: float = 0.0):
        self.batches = batches
        self.batch_seconds = batch_seconds
        self.configs: list[TrainConfig] = []

    def __call__(self, config: TrainConfig, on_event, cancel):
        self.configs.append(config)
        run = RunDir.create(config.out)
        run.write_config(config.to_dict())
        on_event(RunStarted(str(run.path), config.to_dict(), config.epochs, self.batches, "cpu"))
        for epoch in range(1, config.epochs + 1):
            for batch in range(1, self.batches + 1):
                if cancel.cancelled:
                    on_event(RunEnded("cancelled", str(run.path), "stopped by the user"))
                    return {"status": "cancelled"}
                time.sleep(self.batch_seconds)
                on_event(BatchEnd(epoch, batch, self.batches, 2.0 / (epoch + batch), 1000.0))
            record = {"epoch": epoch, "train_loss": 1.0 / epoch, "val_loss": 1.1 / epoch,
                      "accuracy": 1.0 - 0.5 / epoch, "seconds": 0.1}
            run.append_metrics(record)
            on_event(EpochEnd(epoch, config.epochs, 1.0 / epoch, 1.1 / epoch,
                              {"accuracy": 1.0 - 0.5 / epoch}, 0.1, 1000.0, True))
        on_event(RunEnded("finished", str(run.path), summary={"best_epoch": config.epochs}))
        return {"status": "finished"}


@pytest.fixture
def make_panel(qtbot, isolated_settings, tmp_path):
    panels: list[TrainPanel] = []

    def make(train_function=None) -> TrainPanel:
        panel = TrainPanel(**({"train_function": train_function} if train_function else {}))
        panel.runs_folder = tmp_path / "runs"
        qtbot.addWidget(panel)
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        panel.shutdown()
        if panel.error_box is not None:
            panel.error_box.close()
        assert not panel.is_training, "a training thread was left running"
        assert panel.pool.activeThreadCount() == 0


def finish_run(qtbot, panel: TrainPanel, timeout: int = 10_000, **overrides):
    with qtbot.waitSignal(panel.run_finished, timeout=timeout) as blocker:
        panel.start_training(overrides or None)
    return blocker.args


def test_scripted_run_fills_curves_log_and_signals(make_panel, qtbot):
    trainer = ScriptedTrainer(batches=4)
    panel = make_panel(trainer)
    panel.options.epochs_spin.setValue(2)
    started, epochs = [], []
    panel.run_started.connect(started.append)
    panel.epoch_finished.connect(epochs.append)

    run_dir, status, message = finish_run(qtbot, panel)

    assert status == "finished" and message == ""
    assert started == [run_dir] and panel.last_run_dir == run_dir
    assert [e.epoch for e in epochs] == [1, 2] and isinstance(epochs[0], EpochEnd)
    assert len(panel.curves.curve_data("batch_loss")[1]) == 8
    assert len(panel.curves.curve_data("smoothed_loss")[1]) == 8
    assert list(panel.curves.curve_data("train_loss")[1]) == [1.0, 0.5]
    assert np.allclose(panel.curves.curve_data("metric:accuracy")[1], [0.5, 0.75])
    assert run_dir in panel.log.toPlainText() and "epoch 2/2" in panel.log.toPlainText()
    x_low, x_high = panel.curves.metric_plot.viewRange()[0]
    assert x_low < 0.0 and 2.0 < x_high < 2.1, "the x axis spans the whole run, shared by both plots"
    assert panel.train_button.isEnabled() and not panel.stop_button.isEnabled()


def test_config_comes_from_the_form_dataset_and_overrides(make_panel, qtbot, tmp_path):
    trainer = ScriptedTrainer(batches=1)
    panel = make_panel(trainer)
    panel.set_dataset(str(tmp_path / "digits"), "mnist")
    panel.options.engine_combo.setCurrentText("numpy")
    panel.options.lr_spin.setValue(0.01)
    panel.options.optimizer_combo.setCurrentText("sgd")

    finish_run(qtbot, panel, epochs=1, init_from="/runs/old", changed_pixel_weight=3.0)

    config = trainer.configs[0]
    assert (config.data, config.task, config.engine) == (str(tmp_path / "digits"), "mnist", "numpy")
    assert (config.lr, config.optimizer, config.epochs) == (0.01, "sgd", 1)
    assert (config.init_from, config.changed_pixel_weight) == ("/runs/old", 3.0)
    assert config.workers == 0, "the GUI process must not fork DataLoader workers"


def test_numpy_engine_offers_both_numpy_nets(make_panel, qtbot, tmp_path):
    trainer = ScriptedTrainer(batches=1)
    panel = make_panel(trainer)
    panel.set_dataset(str(tmp_path / "digits"), "mnist")
    panel.options.engine_combo.setCurrentText("numpy")
    combo = panel.options.model_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["lenet_numpy", "lenet_fast_numpy"]
    combo.setCurrentIndex(1)
    finish_run(qtbot, panel, epochs=1)
    assert trainer.configs[0].model == "lenet_fast_numpy"


def test_numpy_engine_is_offered_for_mnist_only(make_panel):
    panel = make_panel(ScriptedTrainer())
    engines = lambda: [panel.options.engine_combo.itemText(i)  # noqa: E731
                       for i in range(panel.options.engine_combo.count())]
    panel.set_dataset(None, "mnist")
    assert engines() == ["torch", "numpy"]
    panel.set_dataset(None, "carvana")
    assert engines() == ["torch"]
    models = [panel.options.model_combo.itemData(i) for i in range(panel.options.model_combo.count())]
    assert models[0] == "unet" and "lenet" not in models


def test_stop_cancels_within_seconds(make_panel, qtbot):
    panel = make_panel(ScriptedTrainer(batches=10_000, batch_seconds=0.005))
    with qtbot.waitSignal(panel.run_started, timeout=5000):
        panel.start_training({"epochs": 3})
    assert panel.is_training and panel.stop_button.isEnabled()
    qtbot.waitUntil(lambda: len(panel.curves.curve_data("batch_loss")[1]) > 0, timeout=5000)

    with qtbot.waitSignal(panel.run_finished, timeout=5000) as blocker:
        panel.stop_button.click()
    assert blocker.args[1] == "cancelled"
    assert not panel.is_training and panel.train_button.isEnabled()


def test_unknown_override_fails_with_one_line(make_panel, qtbot):
    panel = make_panel(ScriptedTrainer())
    with qtbot.waitSignal(panel.run_finished, timeout=1000) as blocker:
        panel.start_training({"epochz": 2})
    assert blocker.args[1] == "failed" and "epochz" in blocker.args[2]
    assert panel.train_button.isEnabled() and not panel.is_training


def test_failed_run_shows_message_and_reenables_train(make_panel, qtbot, tmp_path):
    panel = make_panel()  # the real core.training.api.train
    missing = tmp_path / "no-such-dataset"
    panel.set_dataset(str(missing), "mnist")

    run_dir, status, message = finish_run(qtbot, panel, epochs=1)

    assert status == "failed"
    assert "no-such-dataset" in message and "\n" not in message
    assert panel.error_box is not None and panel.error_box.text() == message
    assert f"Error: {message}" in panel.log.toPlainText()
    assert panel.train_button.isEnabled() and not panel.is_training


def test_curves_save_as_png(make_panel, qtbot, tmp_path):
    panel = make_panel(ScriptedTrainer(batches=3))
    panel.resize(1000, 600)
    finish_run(qtbot, panel, epochs=2)

    written = panel.save_curves_png(tmp_path / "curves")

    assert written.suffix == ".png" and written.read_bytes()[:8] == PNG_SIGNATURE
    image = QImage(str(written))
    assert image.width() >= 800 and image.height() > 100
    colours = {image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)}
    assert len(colours) > 20, "the saved curves are blank: the plots left the layout"


def test_train_options_persist_in_settings(make_panel, qtbot):
    panel = make_panel(ScriptedTrainer(batches=1))
    panel.options.batch_spin.setValue(17)
    panel.options.lr_spin.setValue(0.02)
    panel.options.augment_check.setChecked(False)
    finish_run(qtbot, panel, epochs=1)  # starting a run saves the options
    open_settings().sync()

    again = make_panel(ScriptedTrainer())
    values = again.options.config_values()
    assert (values["batch_size"], values["lr"], values["augment"]) == (17, 0.02, False)


def test_resume_continues_a_finished_run(make_panel, qtbot, tmp_path):
    trainer = ScriptedTrainer(batches=1)
    run = RunDir.create(tmp_path / "old-run")
    run.write_config(TrainConfig(epochs=2, batch_size=8, optimizer="sgd").to_dict())
    for epoch in (1, 2):
        run.append_metrics({"epoch": epoch, "train_loss": 1.0, "val_loss": 1.0})
    panel = make_panel(trainer)

    with qtbot.waitSignal(panel.run_finished, timeout=5000):
        panel.resume_from(str(run.path))

    config = trainer.configs[0]
    assert (config.resume, config.out) == (str(run.path), str(run.path))
    assert (config.batch_size, config.optimizer, config.epochs) == (8, "sgd", 4)


def test_real_numpy_training_draws_curves_and_a_confusion_matrix(make_panel, qtbot):
    panel = make_panel()  # core.training.api.train with the hand-written NumPy engine
    panel.set_dataset(None, "mnist")
    panel.options.engine_combo.setCurrentText("numpy")
    panel.options.batch_spin.setValue(32)
    epochs = []
    panel.epoch_finished.connect(epochs.append)

    run_dir, status, message = finish_run(qtbot, panel, timeout=60_000, epochs=2, limit=300,
                                          demo_size=600)

    assert status == "finished", message
    assert len(panel.curves.curve_data("batch_loss")[1]) > 0
    assert len(panel.curves.curve_data("train_loss")[1]) == 2
    assert len(panel.curves.curve_data("metric:accuracy")[1]) == 2
    assert [e.epoch for e in epochs] == [1, 2]
    assert len(RunDir.open(run_dir).read_metrics()) == 2
    qtbot.waitUntil(lambda: panel.confusion.report is not None, timeout=30_000)
    report = panel.confusion.report
    assert report.matrix.shape == (10, 10)
    assert report.accuracy == pytest.approx(epochs[-1].metrics["accuracy"], abs=1e-9)


def test_real_torch_training_stops_when_asked(make_panel, qtbot):
    panel = make_panel()
    panel.set_dataset(None, "mnist")
    panel.options.engine_combo.setCurrentText("torch")
    with qtbot.waitSignal(panel.run_started, timeout=60_000):
        panel.start_training({"epochs": 20, "batch_size": 16, "demo_size": 2000})
    qtbot.waitUntil(lambda: len(panel.curves.curve_data("batch_loss")[1]) > 0, timeout=30_000)

    with qtbot.waitSignal(panel.run_finished, timeout=5000) as blocker:
        panel.stop()

    assert blocker.args[1] == "cancelled"
    assert "cancelled" in panel.progress.label.text()
    assert panel.train_button.isEnabled()


def test_real_resume_adds_epochs_to_a_finished_numpy_run(make_panel, qtbot, tmp_path):
    from core.training.api import train

    out = tmp_path / "first"
    train(TrainConfig(engine="numpy", epochs=1, batch_size=32, limit=200, demo_size=600,
                      out=str(out)))
    panel = make_panel()

    with qtbot.waitSignal(panel.run_finished, timeout=60_000) as blocker:
        panel.resume_from(str(out))

    assert blocker.args[:2] == [str(out), "finished"], blocker.args
    assert [r["epoch"] for r in RunDir.open(out).read_metrics()] == [1, 2]
    # the epoch before the resume stays on the plot, the resumed one follows it
    assert list(panel.curves.curve_data("train_loss")[0]) == [1.0, 2.0]


def test_compare_button_opens_the_compare_window_with_the_last_run(make_panel, qtbot):
    panel = make_panel(ScriptedTrainer(batches=1))
    panel.options.epochs_spin.setValue(1)
    run_dir, status, _ = finish_run(qtbot, panel)

    panel.compare_button.click()  # clicked(bool) once reached open_compare as run_dirs=False

    assert panel.compare_window is not None and panel.compare_window.isVisible()
    assert panel.compare_window.runs() == [run_dir]
    panel.compare_window.close()


def test_log_tabs_move_under_the_options_when_the_panel_is_tall(make_panel, qtbot):
    panel = make_panel(ScriptedTrainer())
    panel.show()
    panel.resize(1600, 420)  # the main window's bottom dock
    qtbot.waitUntil(lambda: panel.tabs.parent() is panel.splitter, timeout=2000)
    assert panel.splitter.count() == 3
    panel.resize(1200, 900)  # a floating dock or its own window
    qtbot.waitUntil(lambda: panel.tabs.parent() is panel.left_column, timeout=2000)
    assert panel.splitter.count() == 2 and min(panel.splitter.sizes()) > 0
