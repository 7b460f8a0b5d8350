"""``EpochBook``: the bookkeeping of one run, shared by the torch and the NumPy engine.

Lightning's ModelCheckpoint and EarlyStopping are callbacks, not code in the loop;
this is the same idea in one small class. An engine trains and validates an
epoch, then reports it (``epoch_end``); the book decides "best" and "stop",
keeps the time (a resumed run counts the time before its resume), and writes
metrics.jsonl and summary.json. The engine saves its weights and checkpoint in
between, with ``book.state()`` inside the checkpoint, so metrics and checkpoint
agree by construction: on resume the metrics file is cut back to the
checkpoint's epoch and that epoch's line is rewritten from the checkpoint.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from core.errors import TrainingError, one_line
from core.runs.events import EventCallback, RunEnded
from core.runs.run_dir import RunDir, json_safe


class NonFiniteLoss(TrainingError):
    """The loss became NaN or infinite; raised before the step is applied."""


class EpochBook:
    """Best epoch, early stopping (one rule), elapsed time, metrics and summary of a run."""

    def __init__(self, run_dir: RunDir, *, metric: str, epochs: int, patience: int | None,
                 identity: dict[str, Any]):
        self.run_dir = run_dir
        self.metric = metric                  # validation metric to maximise: accuracy | dice
        self.epochs = epochs
        self.patience = patience              # early stopping: epochs without a better metric
        self.identity = identity              # engine, task, model, device: copied into the summary
        self.best_metric: float | None = None
        self.best_epoch = 0
        self.epochs_done = 0
        self.epochs_since_best = 0
        self.samples_per_s = 0.0
        self.elapsed_before = 0.0             # seconds of the run before a resume
        self.started = time.perf_counter()
        self.last_record: dict[str, Any] | None = None

    # --- the loop ------------------------------------------------------------------
    def run_epochs(self, one_epoch: Callable[[int], bool]) -> tuple[str, str]:
        """Call ``one_epoch(epoch)`` for the epochs left (False = cancelled midway) until
        the last or early stopping; (status, message) for the summary."""
        for epoch in range(self.epochs_done + 1, self.epochs + 1):
            if not one_epoch(epoch):
                return "cancelled", f"stopped by the user after {self.epochs_done} complete epoch(s)"
            stop = self.stop_message()
            if stop:
                return "finished", stop
        return "finished", ""

    def epoch_end(self, record: dict[str, Any]) -> bool:
        """Take one finished epoch's numbers (epoch, losses, metrics, seconds,
        samples_per_s); True when it is the best so far. Written by ``commit``."""
        value = record.get(self.metric)
        improved = (isinstance(value, (int, float)) and value == value
                    and (self.best_metric is None or value > self.best_metric))
        if improved:
            self.best_metric, self.best_epoch, self.epochs_since_best = float(value), record["epoch"], 0
        else:
            self.epochs_since_best += 1
        self.epochs_done = int(record["epoch"])
        self.samples_per_s = float(record.get("samples_per_s", self.samples_per_s))
        self.last_record = dict(record)
        return improved

    def commit(self) -> None:
        """Append the epoch to metrics.jsonl, after the engine saved its checkpoint."""
        if self.last_record is not None:
            self.run_dir.append_metrics(self.last_record)

    def stop_message(self) -> str | None:
        """Why to stop now (early stopping), or None to go on."""
        if self.patience and self.epochs_since_best >= self.patience:
            return f"early stopping: no better {self.metric} for {self.patience} epoch(s)"
        return None

    # --- checkpoint ------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Plain values for the engine's checkpoint (safe to load without unpickling code)."""
        return {"best_metric": self.best_metric, "best_epoch": self.best_epoch,
                "epochs_done": self.epochs_done, "epochs_since_best": self.epochs_since_best,
                "samples_per_s": self.samples_per_s, "elapsed_seconds": self.elapsed(),
                "last_record": json_safe(self.last_record)}

    def restore(self, state: dict[str, Any]) -> None:
        """Continue from a checkpoint: counters, time, and metrics.jsonl made to match it."""
        self.best_metric = state["best_metric"]
        self.best_epoch = int(state["best_epoch"])
        self.epochs_done = int(state["epochs_done"])
        self.epochs_since_best = int(state["epochs_since_best"])
        self.samples_per_s = float(state.get("samples_per_s", 0.0))
        self.elapsed_before = float(state.get("elapsed_seconds", 0.0))
        self.started = time.perf_counter()
        self.last_record = state.get("last_record")
        self.run_dir.truncate_metrics(self.epochs_done)
        written = {int(r.get("epoch", 0)) for r in self.run_dir.read_metrics()}
        if self.last_record and self.epochs_done not in written:  # killed before the metrics write
            self.run_dir.append_metrics(self.last_record)

    # --- the end ---------------------------------------------------------------------
    def elapsed(self) -> float:
        return self.elapsed_before + time.perf_counter() - self.started

    def summary(self, status: str, message: str, test_metrics: dict[str, Any] | None = None) -> dict[str, Any]:
        """summary.json (written) for both engines alike."""
        test_metrics = json_safe(test_metrics or {})
        summary = {
            "status": status, "message": message, "epochs_done": self.epochs_done,
            "epochs": self.epochs, "best_epoch": self.best_epoch or None, "metric": self.metric,
            "best_metric": self.best_metric, "test_metrics": test_metrics,
            f"test_{self.metric}": test_metrics.get(self.metric),
            "samples_per_s": self.samples_per_s, "seconds": self.elapsed(),
            **self.identity, "run_dir": str(self.run_dir.path),
        }
        self.run_dir.write_summary(summary)
        return summary


class EngineRun:
    """The run both engines share: start, epochs until the last / cancel / early stop, test
    metrics, summary. Any failure ends the run as "failed" with one line (summary written,
    RunEnded emitted) and is raised again; the folder's lock is released whatever happens.
    An engine sets ``book``, ``emit`` and ``run_dir`` and supplies the four steps."""

    book: EpochBook
    emit: EventCallback
    run_dir: RunDir

    def run(self) -> dict[str, Any]:
        try:
            self._start()
            status, message = self.book.run_epochs(self._one_epoch)
            test_metrics = self._test_metrics() if status == "finished" else {}
        except NonFiniteLoss as error:
            self._keep_last_good()
            self._end("failed", str(error))
            raise
        except BaseException as error:
            self._end("failed", one_line(error))
            raise
        finally:
            self.run_dir.release()
        return self._end(status, message, test_metrics)

    def _start(self) -> None:
        """Restore a resumed run or save the starting weights; write config; RunStarted."""
        raise NotImplementedError

    def _one_epoch(self, epoch: int) -> bool:
        """Train, validate, save (book.epoch_end, checkpoint, book.commit), emit EpochEnd;
        False when cancelled midway."""
        raise NotImplementedError

    def _test_metrics(self) -> dict[str, Any]:
        raise NotImplementedError

    def _keep_last_good(self) -> None:
        """After a NaN loss: the weights of the last complete epoch (on disk they already are)."""

    def _end(self, status: str, message: str, test_metrics: dict[str, Any] | None = None) -> dict[str, Any]:
        summary = self.book.summary(status, message, test_metrics)
        self.emit(RunEnded(status, str(self.run_dir.path), message, summary))
        return summary
