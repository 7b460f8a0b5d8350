"""Stop and resume: cancellation takes effect within a second and --resume continues exactly."""

from __future__ import annotations

import json
import threading

import torch

from core.training.api import train
from core.runs.config import TrainConfig
from core.runs.events import BatchEnd, CancelToken, EpochEnd, EventLog, RunEnded
from tests.trainer_helpers import cars_config, mnist_config, one_torch_thread, read_metrics  # noqa: F401


def _weights(run_dir):
    return torch.load(run_dir / "model.pt", weights_only=False)["state_dict"]


def test_resume_after_a_stop_continues_exactly(tmp_path):
    # Augmentation, dropout and a per-batch schedule all draw on saved state.
    options = dict(epochs=3, limit=96, schedule="onecycle", optimizer="adamw", weight_decay=1e-3)
    train(mnist_config(tmp_path / "straight", **options))

    cancel = CancelToken()

    def stop_after_second_epoch(event):
        if isinstance(event, EpochEnd) and event.epoch == 2:
            cancel.cancel()

    stopped = train(mnist_config(tmp_path / "stopped", **options), stop_after_second_epoch, cancel)
    assert stopped["status"] == "cancelled" and stopped["epochs_done"] == 2
    assert len(read_metrics(tmp_path / "stopped")) == 2

    resumed = train(TrainConfig(resume=str(tmp_path / "stopped"), epochs=3))
    assert resumed["status"] == "finished" and resumed["epochs_done"] == 3

    straight, continued = read_metrics(tmp_path / "straight"), read_metrics(tmp_path / "stopped")
    assert [r["epoch"] for r in continued] == [1, 2, 3]
    for a, b in zip(straight, continued):
        for key in ("train_loss", "val_loss", "accuracy", "lr"):
            assert abs(a[key] - b[key]) <= 1e-6, (a["epoch"], key, a[key], b[key])
    for name, tensor in _weights(tmp_path / "straight").items():
        torch.testing.assert_close(tensor, _weights(tmp_path / "stopped")[name], rtol=0, atol=1e-6)


def test_cancel_from_another_thread_stops_within_the_epoch(tmp_path):
    """A cancel from another thread ends the run in the epoch it came in, keeping the last
    complete one (how fast, in batches, is in bench/gui.py)."""
    cancel = CancelToken()
    log = EventLog()

    def on_event(event):
        log(event)
        if isinstance(event, BatchEnd) and event.epoch == 2 and event.batch == 2:
            threading.Timer(0.0, cancel.cancel).start()

    config = cars_config(tmp_path / "run", epochs=50, demo_size=48, image_size=48)
    summary = train(config, on_event, cancel)

    assert summary["status"] == "cancelled" and summary["epochs_done"] == 1
    ended = log.of(RunEnded)[-1]
    assert ended.status == "cancelled"
    # The run directory still describes the last complete epoch.
    run = tmp_path / "run"
    assert [r["epoch"] for r in read_metrics(run)] == [1]
    assert json.loads((run / "summary.json").read_text())["status"] == "cancelled"
    assert torch.load(run / "model.pt", weights_only=False)["meta"]["epoch"] == 1
