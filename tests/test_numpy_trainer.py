"""The NumPy trainer end to end on the built-in demo digits: it learns, reports, stops, fails cleanly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.data import demo_dataset, split_view
from core.errors import RunError, TrainingError
from core.numpy_cnn import trainer as trainer_module
from core.numpy_cnn.predictor import NumpyPredictor
from core.numpy_cnn.serialize import load_model
from core.runs.config import TrainConfig
from core.runs.events import BatchEnd, CancelToken, EpochEnd, EventLog, RunEnded, RunStarted

DEMO_SIZE = 3000   # 2400 train / 300 val / 300 test; the run uses 1500 training items
SMALL_DEMO = 1000  # for the runs that test mechanics rather than learning


def _config(out, **overrides) -> TrainConfig:
    options = dict(task="mnist", engine="numpy", out=str(out), epochs=3, batch_size=64, lr=2e-3,
                   optimizer="adam", limit=1500, augment=False, demo_size=DEMO_SIZE, seed=0)
    options.update(overrides)
    return TrainConfig(**options)


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("numpy_run") / "run"
    log = EventLog()
    summary = trainer_module.train_numpy(_config(out), log, CancelToken())
    return out, summary, log


def test_short_demo_run_clearly_learns(trained_run):
    out, summary, log = trained_run
    epochs = log.of(EpochEnd)
    assert summary["status"] == "finished" and len(epochs) == 3
    # ~0.95 measured on this seed; chance is 0.1 and a falling loss alone would not reach 0.85
    assert epochs[-1].metrics["accuracy"] >= 0.85
    assert summary["test_accuracy"] >= 0.85
    assert epochs[-1].val_loss < epochs[0].val_loss


def test_events_and_run_directory(trained_run):
    out, summary, log = trained_run
    started = log.of(RunStarted)[0]
    assert started.config["engine"] == "numpy" and started.num_epochs == 3
    batches = log.of(BatchEnd)
    assert len(batches) == 3 * started.batches_per_epoch == 3 * 24
    assert all(np.isfinite(event.loss) for event in batches)
    previews = log.of(EpochEnd)[-1].previews
    assert len(previews) == 4 and previews[0].prediction.shape == (10,)
    assert previews[0].image.dtype == np.uint8 and previews[0].prediction.sum() == pytest.approx(1, abs=1e-5)
    assert log.events[-1] == RunEnded("finished", str(out), "", summary)

    config = json.loads((out / "config.json").read_text())
    assert (config["engine"], config["kind"], config["model"]) == ("numpy", "classification", "lenet_numpy")
    assert config["class_names"] == [str(digit) for digit in range(10)]
    assert config["preprocess"] == {"channels": 1, "size": [28, 28], "mean": [0.1307], "std": [0.3081]}
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1, 2, 3]
    assert {"train_loss", "val_loss", "accuracy", "seconds"} <= set(records[0])
    assert json.loads((out / "summary.json").read_text())["test_accuracy"] == summary["test_accuracy"]
    assert load_model(out / "model.npz").spec() == load_model(out / "best.npz").spec()


def test_predictor_reproduces_the_test_accuracy(trained_run):
    out, summary, _ = trained_run
    predictor = NumpyPredictor.from_run(out, weights="best")
    test = split_view(demo_dataset("mnist", size=DEMO_SIZE, seed=0), "test")
    images = [test[index].image for index in range(len(test))]
    labels = np.array([test[index].target for index in range(len(test))])
    probabilities = np.array(predictor.predict_batch(images))
    assert probabilities.shape == (len(test), 10)
    assert np.mean(probabilities.argmax(axis=1) == labels) == pytest.approx(summary["test_accuracy"])
    np.testing.assert_allclose(predictor.predict(images[0]), probabilities[0], atol=1e-6)
    assert predictor.kind == "classification" and predictor.class_names[3] == "3"
    assert predictor.first_layer_filters().shape == (16, 1, 3, 3)
    maps = predictor.feature_maps(images[0])
    assert [(name, array.shape) for name, array in maps] == [("conv1", (16, 28, 28)), ("conv2", (32, 14, 14))]
    assert NumpyPredictor.from_run(out, weights="model").predict(images[0]).shape == (10,)


def test_cancel_stops_at_the_next_batch(tmp_path):
    """No batch runs after the cancel (its latency, in batches, is in bench/gui.py)."""
    cancel = CancelToken()
    log = EventLog()

    def on_event(event):
        log(event)
        if isinstance(event, BatchEnd) and event.batch == 3:
            cancel.cancel()

    summary = trainer_module.train_numpy(_config(tmp_path / "run"), on_event, cancel)
    ended = log.of(RunEnded)[0]
    assert ended.status == summary["status"] == "cancelled"
    assert len(log.of(BatchEnd)) == 3 and not log.of(EpochEnd)
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["status"] == "cancelled"


def test_nan_loss_fails_clearly_and_keeps_last_good_weights(tmp_path, monkeypatch):
    real_loss = trainer_module.softmax_cross_entropy
    calls = {"train": 0}

    def loss_turning_nan(logits, labels, label_smoothing=0.0):
        loss, grad = real_loss(logits, labels, label_smoothing)
        calls["train"] += 1
        return (float("nan"), grad) if calls["train"] > 7 else (loss, grad)  # 4 batches an epoch

    monkeypatch.setattr(trainer_module, "softmax_cross_entropy", loss_turning_nan)
    log = EventLog()
    with pytest.raises(TrainingError, match="loss became nan at epoch 2, batch 4"):
        trainer_module.train_numpy(_config(tmp_path / "run", limit=200, epochs=3, demo_size=SMALL_DEMO), log)
    ended = log.of(RunEnded)[0]
    assert ended.status == "failed" and "kept the weights of epoch 1" in ended.message
    saved = load_model(tmp_path / "run" / "model.npz")
    assert all(np.isfinite(value).all() for value in saved.state().values())
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["epochs_done"] == 1


def test_init_from_starts_where_another_run_ended(trained_run, tmp_path):
    out, summary, _ = trained_run
    log = EventLog()
    trainer_module.train_numpy(_config(tmp_path / "fine", epochs=1, limit=200, lr=1e-7,
                                       init_from=str(out)), log)
    assert log.of(EpochEnd)[0].metrics["accuracy"] >= summary["best_metric"] - 0.03
    textbook = _config(tmp_path / "other", epochs=1, limit=200, model="textbook_numpy",
                       init_from=str(out))
    with pytest.raises(RunError, match="do not match"):
        trainer_module.train_numpy(textbook)


def test_augmented_run_with_momentum_cosine_and_clipping_learns(tmp_path):
    summary = trainer_module.train_numpy(_config(
        tmp_path / "run", epochs=2, limit=600, augment=True, optimizer="nesterov", lr=0.05,
        schedule="cosine", grad_clip=5.0, weight_decay=1e-4))
    assert summary["status"] == "finished"
    assert summary["best_metric"] >= 0.3   # 0.41 measured after 2 short epochs; chance is 0.1


def test_trains_from_real_mnist_idx_files(tmp_path, trained_run):
    """--data pointing at gzipped IDX files (MNIST's own format) goes through core.data's reader."""
    from core.data.writers import write_mnist

    digits = demo_dataset("mnist", size=700, seed=5)
    images = np.stack([digits[index].image for index in range(len(digits))])
    labels = np.array([digits[index].target for index in range(len(digits))], np.uint8)
    folder = write_mnist(tmp_path / "MNIST" / "raw", (images[:600], labels[:600]),
                         (images[600:], labels[600:]), gz=True)
    out, _, _ = trained_run
    summary = trainer_module.train_numpy(_config(tmp_path / "run", data=str(folder), demo_size=None,
                                                 epochs=1, lr=1e-5, init_from=str(out)))
    assert summary["status"] == "finished"
    assert summary["test_accuracy"] >= 0.85      # 100 test items from t10k-*, via the trained weights


@pytest.mark.parametrize("workers", [0, 1])
def test_resume_continues_exactly_like_an_uninterrupted_run(tmp_path, workers):
    options = dict(limit=300, epochs=3, augment=True, optimizer="momentum", lr=0.02,
                   demo_size=SMALL_DEMO, workers=workers)
    straight = trainer_module.train_numpy(_config(tmp_path / "straight", **options))
    cancel = CancelToken()

    def stop_after_first_epoch(event):
        if isinstance(event, EpochEnd):
            cancel.cancel()

    stopped = trainer_module.train_numpy(_config(tmp_path / "resumed", **options),
                                         stop_after_first_epoch, cancel)
    assert stopped["status"] == "cancelled" and stopped["epochs_done"] == 1
    resumed = trainer_module.train_numpy(_config(None, **options, resume=str(tmp_path / "resumed")))
    assert resumed["status"] == "finished" and resumed["epochs_done"] == 3

    def lines(run):
        return [{k: v for k, v in json.loads(line).items() if k not in ("seconds", "samples_per_s")}
                for line in (tmp_path / run / "metrics.jsonl").read_text().splitlines()]

    assert lines("resumed") == lines("straight")
    assert resumed["test_accuracy"] == straight["test_accuracy"]
    if workers:
        return
    with pytest.raises(RunError, match="no checkpoint"):
        trainer_module.train_numpy(_config(None, resume=str(tmp_path), demo_size=SMALL_DEMO))


def test_data_parallel_run_learns_and_leaves_no_process_behind(tmp_path):
    import multiprocessing

    log = EventLog()
    summary = trainer_module.train_numpy(_config(tmp_path / "run", workers=1), log, CancelToken())
    assert log.of(RunStarted)[0].device.endswith("2 processes")
    assert summary["status"] == "finished" and summary["test_accuracy"] >= 0.85
    assert log.of(EpochEnd)[-1].metrics["accuracy"] >= 0.85
    assert multiprocessing.active_children() == []
