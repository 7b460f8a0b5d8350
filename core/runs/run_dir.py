"""A run directory: everything one training run leaves behind.

    RUN_DIR/config.json      the TrainConfig plus what is needed to rebuild the model
    RUN_DIR/metrics.jsonl    one JSON object per epoch (epoch, train_loss, val_loss,
                             the task's metrics, seconds)
    RUN_DIR/summary.json     status, best epoch and metric, totals
    RUN_DIR/model.pt|.npz    final weights (torch state dict / NumPy engine npz)
    RUN_DIR/best.pt|.npz     weights of the best validation epoch
    RUN_DIR/init.pt|.npz     the weights a fresh run started from
    RUN_DIR/checkpoint.pt|.npz  last full checkpoint (model, optimiser, schedule, RNG, EpochBook)
    RUN_DIR/.lock            held by the one process training into the folder

Every file is written atomically, so a crash leaves the previous version intact.
Nothing else opens run files by name: ``weights("best"|"latest")`` finds the
engine's weights, ``dataset()`` rebuilds the data the run was trained on.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from core.atomic import atomic_open, atomic_write_json
from core.errors import RunError

CONFIG = "config.json"
METRICS = "metrics.jsonl"
SUMMARY = "summary.json"
WEIGHT_STEMS = {"latest": "model", "best": "best", "init": "init", "checkpoint": "checkpoint"}
LOCK = ".lock"             # held (fcntl) by the one process training into the folder


def json_safe(value: Any) -> Any:
    """NaN/inf -> None, recursively: JSON has no NaN (e.g. no small objects to recall)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


class RunDir:
    """Reads and writes one run directory; only rank 0 of a DDP job writes."""

    def __init__(self, path: str | Path, *, writable: bool = True):
        self.path = Path(path)
        self.writable = writable
        self._lock = None

    @classmethod
    def create(cls, path: str | Path, *, writable: bool = True) -> "RunDir":
        run = cls(path, writable=writable)
        if writable:
            run.path.mkdir(parents=True, exist_ok=True)
        return run

    @classmethod
    def open(cls, path: str | Path) -> "RunDir":
        """An existing run, with a clear error when it is not one."""
        run = cls(path, writable=False)
        if not run.path.is_dir():
            raise RunError(path, "run directory does not exist")
        if not (run.path / CONFIG).is_file():
            raise RunError(path, f"not a run directory (no {CONFIG})")
        return run

    def file(self, name: str) -> Path:
        return self.path / name

    # --- one writer ------------------------------------------------------------
    def claim(self, *, fresh: bool, overwrite: bool = False) -> None:
        """Become the folder's one writer, at once or a RunError: another process training
        here holds its lock. A fresh run into a folder that holds a run refuses unless
        ``overwrite``; then the old run's files go first, so a kill before the first
        epoch never leaves one task's config beside another's weights."""
        if not self.writable:
            return
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            handle = open(self.path / LOCK, "a")
        except OSError as error:
            raise RunError(self.path, f"cannot write the run folder ({error.strerror or error})") from None
        try:
            _lock_exclusive(handle)
        except OSError:
            handle.close()
            raise RunError(self.path, "another training run is writing this folder; "
                                      "wait for it or choose another --out") from None
        self._lock = handle
        if fresh and self.holds_run():
            if not overwrite:
                self.release()
                raise RunError(self.path, "already holds a run; pass --overwrite to replace it, "
                                          "--resume to continue it, or choose another --out")
            self._clear()

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file drops the fcntl lock
            self._lock = None

    def holds_run(self) -> bool:
        return any(path.exists() for path in self._run_files())

    def _run_files(self) -> list[Path]:
        names = [CONFIG, METRICS, SUMMARY] + [stem + suffix for stem in WEIGHT_STEMS.values()
                                              for suffix in (".pt", ".npz")]
        return [self.path / name for name in names]

    def _clear(self) -> None:
        """Weights first, config last: whatever a kill leaves is never mixed."""
        for path in reversed(self._run_files()):
            path.unlink(missing_ok=True)

    def weights(self, which: str = "latest") -> Path:
        """The existing weights file of ``which`` ("latest", "best", "init") for the run's
        engine (``.pt`` torch, ``.npz`` NumPy); a RunError naming it when not written yet."""
        path = self.weights_file(which, str(self.read_config().get("engine", "torch")))
        if not path.is_file():
            raise RunError(path, "no weights yet (the run has not finished an epoch)")
        return path

    def has_weights(self, which: str) -> bool:
        return self.weights_file(which, str(self.read_config().get("engine", "torch"))).is_file()

    def weights_file(self, which: str, engine: str) -> Path:
        """Where ``engine`` writes the weights of ``which`` (the trainers' side)."""
        if which not in WEIGHT_STEMS:
            raise ValueError(f"weights must be one of {', '.join(WEIGHT_STEMS)}, not {which!r}")
        return self.path / (WEIGHT_STEMS[which] + (".npz" if engine == "numpy" else ".pt"))

    def dataset(self, data: str | None = None):
        """The dataset this run was trained on (or ``data`` read the run's way), with its
        mask overrides; see ``core.runs.dataset``."""
        from core.runs.config import TrainConfig
        from core.runs.dataset import training_dataset

        try:
            config = TrainConfig.from_dict(self.read_config())
        except (ValueError, TypeError) as error:
            raise RunError(self.path / CONFIG, f"bad training options ({error})") from None
        return training_dataset(config, data)

    # --- writing -------------------------------------------------------------
    def write_config(self, config: dict[str, Any]) -> None:
        if self.writable:
            atomic_write_json(self.path / CONFIG, config)

    def append_metrics(self, record: dict[str, Any]) -> None:
        """Append one epoch; rewritten whole so the file is never half a line."""
        if not self.writable:
            return
        clean = {k: json_safe(v) for k, v in record.items()}
        lines = [json.dumps(r, sort_keys=True) for r in self.read_metrics()]
        lines.append(json.dumps(clean, sort_keys=True))
        with atomic_open(self.path / METRICS, "w") as handle:
            handle.write("\n".join(lines) + "\n")

    def truncate_metrics(self, last_epoch: int) -> None:
        """Keep epochs <= last_epoch (used when resuming from a checkpoint)."""
        if not self.writable:
            return
        kept = [r for r in self.read_metrics() if int(r.get("epoch", 0)) <= last_epoch]
        with atomic_open(self.path / METRICS, "w") as handle:
            handle.write("".join(json.dumps(r, sort_keys=True) + "\n" for r in kept))

    def write_summary(self, summary: dict[str, Any]) -> None:
        if self.writable:
            atomic_write_json(self.path / SUMMARY,
                              {k: json_safe(v) for k, v in summary.items()})

    # --- reading -------------------------------------------------------------
    def read_config(self) -> dict[str, Any]:
        """config.json, checked (core.runs.config_check): shared runs may be tampered with."""
        from core.runs.config_check import check_run_config

        return check_run_config(self._read_json(CONFIG), self.path / CONFIG)

    def read_summary(self) -> dict[str, Any]:
        return self._read_json(SUMMARY) if (self.path / SUMMARY).exists() else {}

    def read_metrics(self) -> list[dict[str, Any]]:
        path = self.path / METRICS
        if not path.exists():
            return []
        records = []
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise RunError(path, f"line {number} is not JSON ({error.msg})") from None
        return records

    def _read_json(self, name: str) -> dict[str, Any]:
        path = self.path / name
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            raise RunError(path, "file is missing") from None
        except json.JSONDecodeError as error:
            raise RunError(path, f"not valid JSON ({error.msg} at line {error.lineno})") from None


def starting_weights(path: str | Path) -> Path:
    """``init_from``: a run directory (its best weights, else its latest) or a weights file
    (.pt, or a NumPy engine .npz such as init.npz)."""
    path = Path(path)
    if not path.is_dir():
        return path
    run = RunDir.open(path)
    try:
        return run.weights("best")
    except RunError:
        return run.weights("latest")


def _lock_exclusive(handle) -> None:
    """An exclusive lock the OS drops when the process ends (fcntl; msvcrt on Windows)."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


def fresh_run_dir(base: str | Path) -> Path:
    """``base``, else ``base-2``, ``base-3``...: the first that holds no run (new GUI runs)."""
    base = Path(base)
    candidate, number = base, 1
    while RunDir(candidate).holds_run():
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def default_run_dir(task: str, engine: str) -> Path:
    """runs/<task>-<engine>-<time>, made unique."""
    return fresh_run_dir(Path("runs") / f"{task}-{engine}-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
