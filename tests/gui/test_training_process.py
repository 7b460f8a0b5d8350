"""Training in a spawned process: the same events in order, Stop, and one-line errors."""

from __future__ import annotations

import pytest

from core.runs.config import TrainConfig
from core.runs.events import BatchEnd, CancelToken, EpochEnd, EventLog, RunEnded, RunStarted
from gui.train.training_process import TrainingProcessError, train_in_process


def small_config(tmp_path, **changes) -> TrainConfig:
    values = dict(task="mnist", engine="numpy", epochs=2, limit=96, batch_size=32,
                  demo_size=200, augment=False, workers=0, out=str(tmp_path / "run"))
    values.update(changes)
    return TrainConfig(**values)


def test_events_arrive_in_order_and_the_run_is_written(tmp_path):
    log = EventLog()
    summary = train_in_process(small_config(tmp_path), log, CancelToken())

    kinds = [type(event) for event in log.events]
    assert kinds[0] is RunStarted and kinds[-1] is RunEnded
    assert [event.epoch for event in log.of(EpochEnd)] == [1, 2]
    batches = [(event.epoch, event.batch) for event in log.of(BatchEnd)]
    assert batches == sorted(batches) and len(batches) >= 2
    assert log.of(RunEnded)[0].status == "finished"
    assert summary["status"] == "finished"
    assert (tmp_path / "run" / "metrics.jsonl").read_text().count("\n") == 2


def test_stop_ends_the_run_after_the_batch(tmp_path):
    log, cancel = EventLog(), CancelToken()

    def on_event(event):
        log(event)
        if isinstance(event, BatchEnd):
            cancel.cancel()  # what Stop does, from another thread

    train_in_process(small_config(tmp_path, epochs=50), on_event, cancel)

    assert log.of(RunEnded)[0].status == "cancelled"
    assert len(log.of(EpochEnd)) < 50


def test_a_core_error_in_the_child_is_one_line_here(tmp_path):
    missing = tmp_path / "no-such-dataset"
    with pytest.raises(TrainingProcessError) as raised:
        train_in_process(small_config(tmp_path, data=str(missing)), EventLog(), CancelToken())
    message = str(raised.value)
    assert "no-such-dataset" in message and "\n" not in message


ORPHAN_PARENT = """
import multiprocessing, sys, time
sys.path.insert(0, sys.argv[1])
from core.runs.config import TrainConfig
from core.runs.events import BatchEnd, CancelToken
from gui.train.training_process import train_in_process

def on_event(event):
    if isinstance(event, BatchEnd) and event.batch == 1 and event.epoch == 1:
        print(multiprocessing.active_children()[0].pid, flush=True)

if __name__ == "__main__":
    config = TrainConfig(task="mnist", engine="numpy", epochs=500, limit=96, batch_size=32,
                         demo_size=200, augment=False, workers=0, out=sys.argv[2])
    train_in_process(config, on_event, CancelToken())
"""


def test_the_training_process_stops_when_the_app_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    script = tmp_path / "app.py"
    script.write_text(ORPHAN_PARENT)
    root = Path(__file__).resolve().parents[2]
    app = subprocess.Popen([sys.executable, str(script), str(root), str(tmp_path / "run")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        child_pid = int(app.stdout.readline())
    finally:
        os.kill(app.pid, signal.SIGKILL)
        app.wait(timeout=30)
    deadline = time.monotonic() + 120  # a liveness bound, not a speed check
    while time.monotonic() < deadline:
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.kill(child_pid, signal.SIGKILL)
        raise AssertionError("the training process outlived the app")
