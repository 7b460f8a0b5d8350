"""Run directories and atomic writes: a failure never leaves a half-written file."""

from __future__ import annotations

import json
import math

import pytest

from core.atomic import atomic_open, atomic_write_json, atomic_write_text
from core.errors import RunError
from core.runs.run_dir import RunDir


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "summary.json"
    atomic_write_json(target, {"status": "old"})
    with pytest.raises(RuntimeError):
        with atomic_open(target, "w") as handle:
            handle.write('{"status": "ne')
            raise RuntimeError("disk full")
    assert json.loads(target.read_text()) == {"status": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]  # temporary file removed


def test_atomic_write_replaces_and_creates_parents(tmp_path):
    target = tmp_path / "deep" / "file.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"


def test_metrics_append_read_and_truncate(tmp_path):
    run = RunDir.create(tmp_path / "run")
    for epoch in (1, 2, 3):
        run.append_metrics({"epoch": epoch, "train_loss": 1.0 / epoch, "val_loss": float("nan")})
    records = run.read_metrics()
    assert [r["epoch"] for r in records] == [1, 2, 3]
    assert records[1]["train_loss"] == 0.5 and records[0]["val_loss"] is None  # NaN stored as null
    assert len((run.path / "metrics.jsonl").read_text().splitlines()) == 3
    run.truncate_metrics(2)
    assert [r["epoch"] for r in run.read_metrics()] == [1, 2]
    run.append_metrics({"epoch": 3, "train_loss": 0.1})
    assert [r["epoch"] for r in run.read_metrics()] == [1, 2, 3]


def test_config_and_summary_round_trip(tmp_path):
    run = RunDir.create(tmp_path / "run")
    run.write_config({"task": "mnist", "epochs": 2})
    run.write_summary({"status": "finished", "best": math.inf})
    opened = RunDir.open(tmp_path / "run")
    assert opened.read_config() == {"task": "mnist", "epochs": 2}
    assert opened.read_summary() == {"status": "finished", "best": None}


def test_read_only_run_writes_nothing(tmp_path):
    run = RunDir.create(tmp_path / "rank1", writable=False)
    run.write_config({"a": 1})
    run.append_metrics({"epoch": 1})
    assert not (tmp_path / "rank1").exists()


def test_bad_run_directories_raise_run_error(tmp_path):
    with pytest.raises(RunError, match="does not exist"):
        RunDir.open(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunError, match="no config.json"):
        RunDir.open(tmp_path / "empty")
    run = RunDir.create(tmp_path / "run")
    (run.path / "config.json").write_text("{broken")
    (run.path / "metrics.jsonl").write_text('{"epoch": 1}\nnot json\n')
    with pytest.raises(RunError, match="not valid JSON"):
        RunDir.open(run.path).read_config()
    with pytest.raises(RunError, match="line 2 is not JSON"):
        run.read_metrics()
