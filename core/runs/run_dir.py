"""A run directory: everything one training run leaves behind.

    RUN_DIR/config.json      the TrainConfig plus what is needed to rebuild the model
    RUN_DIR/metrics.jsonl    one JSON object per epoch (epoch, train_loss, val_loss,
                             the task's metrics, seconds)
    RUN_DIR/summary.json     status, best epoch and metric, totals
    RUN_DIR/model.pt|.npz    final weights (torch state dict / NumPy engine npz)
    RUN_DIR/best.pt|.npz     weights of the best validation epoch
    RUN_DIR/checkpoint.pt    last full checkpoint (torch: model, optimiser, scheduler, RNG)

Every file is written atomically, so a crash leaves the previous version intact.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from core.atomic import atomic_open, atomic_write_json
from core.errors import RunError

CONFIG = "config.json"
METRICS = "metrics.jsonl"
SUMMARY = "summary.json"


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class RunDir:
    """Reads and writes one run directory; only rank 0 of a DDP job writes."""

    def __init__(self, path: str | Path, *, writable: bool = True):
        self.path = Path(path)
        self.writable = writable

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

    # --- writing -------------------------------------------------------------
    def write_config(self, config: dict[str, Any]) -> None:
        if self.writable:
            atomic_write_json(self.path / CONFIG, config)

    def append_metrics(self, record: dict[str, Any]) -> None:
        """Append one epoch; rewritten whole so the file is never half a line."""
        if not self.writable:
            return
        clean = {k: _finite_or_none(v) for k, v in record.items()}
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
                              {k: _finite_or_none(v) for k, v in summary.items()})

    # --- reading -------------------------------------------------------------
    def read_config(self) -> dict[str, Any]:
        return self._read_json(CONFIG)

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
