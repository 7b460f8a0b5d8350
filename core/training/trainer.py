"""The torch Trainer: ``train_torch(config, on_event, cancel) -> summary``.

One loop for classification and segmentation. It emits the shared events,
checks ``cancel`` between batches, writes the run directory every epoch
(model.pt, best.pt, checkpoint.pt, metrics.jsonl) and summary.json at the end;
a fresh run first writes init.pt, the weights it starts from.

Failures: a NaN/inf loss, or any other exception, emits ``RunEnded("failed")``
with a one-line message, writes summary.json, then raises (NaN as
``TrainingError`` so the CLI prints one line and exits 2). The weights of the
last complete epoch stay on disk.
"""

from __future__ import annotations

import time
from typing import Any

from core.errors import RunError, one_line
from core.runs import weights
from core.runs.config import TrainConfig
from core.runs.events import (BatchEnd, CancelToken, EpochEnd, EventCallback, PreviewSample, RunEnded,
                              RunStarted, ignore_event)
from core.runs.lifecycle import EngineRun, EpochBook
from core.runs.run_dir import RunDir
from core.training import checkpoint
from core.training.ddp import Distributed
from core.training.loop import evaluate, train_epoch
from core.training.setup import RunSetup, build_setup


def train_torch(config: TrainConfig, on_event: EventCallback = ignore_event,
                cancel: CancelToken | None = None) -> dict[str, Any]:
    """Train with torch (under torchrun: one DDP rank); returns the summary dict."""
    cancel = cancel or CancelToken()
    distributed = Distributed.from_environment(config.device)
    emit = on_event if distributed.is_main else ignore_event
    try:
        setup = build_setup(config, distributed)
    except BaseException as error:
        emit(RunEnded("failed", config.resume or config.out or "", one_line(error)))
        distributed.close()
        raise
    try:
        return Trainer(setup, emit, cancel).run()
    finally:
        distributed.close()


class Trainer(EngineRun):
    """Runs the epochs of one prepared ``RunSetup``; an ``EpochBook`` keeps the score."""

    def __init__(self, setup: RunSetup, emit: EventCallback, cancel: CancelToken):
        self.setup = setup
        self.emit = emit
        self.cancel = cancel
        self.run_dir: RunDir = setup.run_dir
        self.book = EpochBook(self.run_dir, metric="accuracy" if setup.kind == "classification" else "dice",
                              epochs=setup.config.epochs, patience=setup.config.early_stopping,
                              identity={"device": device_name(setup), "engine": "torch",
                                        "task": setup.config.task, "model": setup.model_name})

    def _start(self) -> None:
        setup = self.setup
        if setup.config.resume:
            self._restore(weights.load(self.run_dir.weights_file("checkpoint", "torch")))
        elif self.run_dir.writable:  # the starting point, to compare with a twin run
            checkpoint.save_weights(self.run_dir.weights_file("init", "torch"), setup.step.model,
                                    {**setup.weights_meta, "epoch": 0})
        self.run_dir.write_config(setup.config_record)
        self.emit(RunStarted(str(self.run_dir.path), setup.config_record, setup.config.epochs,
                             len(setup.train_loader), device_name(setup)))

    def _one_epoch(self, epoch: int) -> bool:
        """Train, validate, save and report one epoch; False when cancelled midway."""
        setup = self.setup
        epoch_started = time.perf_counter()
        setup.reseed_shuffle(epoch)
        num_batches = len(setup.train_loader)

        def on_batch(batch: int, loss: float, samples_per_s: float) -> None:
            self.emit(BatchEnd(epoch, batch, num_batches, loss, samples_per_s))

        result = train_epoch(setup.step, setup.train_loader, epoch=epoch, cancel=self.cancel,
                             on_batch=on_batch)
        if result.cancelled:
            return False
        val_loss, metrics, cancelled = evaluate(
            setup.step.model, setup.val_loader, setup.step.loss_fn, setup.meter,
            device=setup.device, amp_dtype=setup.step.amp_dtype,
            memory_format=setup.step.memory_format, cancel=self.cancel)
        if cancelled:
            return False
        scalars = {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))}
        seconds = time.perf_counter() - epoch_started  # training and validation
        is_best = self.book.epoch_end({"epoch": epoch, "train_loss": result.loss, "val_loss": val_loss,
                                       **scalars, "seconds": seconds, "lr": setup.step.schedule.lr,
                                       "samples_per_s": result.samples_per_s})
        setup.step.schedule.after_epoch(scalars.get(self.book.metric))
        self._save(epoch, is_best)
        self.book.commit()
        self.emit(EpochEnd(epoch, setup.config.epochs, result.loss, val_loss, scalars, seconds,
                           result.samples_per_s, is_best, self._previews()))
        return True

    # --- files -----------------------------------------------------------------
    def _save(self, epoch: int, is_best: bool) -> None:
        if not self.run_dir.writable:
            return
        setup = self.setup
        meta = {**setup.weights_meta, "epoch": epoch}
        checkpoint.save_weights(self.run_dir.weights_file("latest", "torch"), setup.step.model, meta)
        if is_best:
            checkpoint.save_weights(self.run_dir.weights_file("best", "torch"), setup.step.model, meta)
        weights.save(self.run_dir.weights_file("checkpoint", "torch"), {
            "model": checkpoint.cpu_state_dict(setup.step.model),
            "optimizer": setup.step.optimizer.state_dict(),
            "schedule": setup.step.schedule.state_dict(),
            "scaler": setup.step.scaler.state_dict() if setup.step.scaler else None,
            "epoch": epoch, "book": self.book.state(), "rng": checkpoint.rng_state(), "meta": meta,
        })

    def _restore(self, state: dict[str, Any]) -> None:
        if not isinstance(state.get("book"), dict):
            raise RunError(self.run_dir.weights_file("checkpoint", "torch"),
                           "written by an older version; start a new run from its weights with --init-from")
        step = self.setup.step
        weights.unwrap(step.model).load_state_dict(state["model"])
        step.optimizer.load_state_dict(state["optimizer"])
        step.schedule.load_state_dict(state["schedule"])
        if step.scaler is not None and state.get("scaler"):
            step.scaler.load_state_dict(state["scaler"])
        checkpoint.set_rng_state(state["rng"])
        self.book.restore(state["book"])

    def _previews(self) -> tuple[PreviewSample, ...]:
        """Predictions on the first few validation items, at their own size."""
        setup = self.setup
        if not self.run_dir.writable or setup.preview_items is None:
            return ()
        predictor = setup.predictor()
        return tuple(PreviewSample(sample.item_id, sample.image, sample.target,
                                   predictor.predict(sample.image))
                     for sample in setup.preview_items)

    def _test_metrics(self) -> dict[str, Any]:
        """The task's metrics on the test split with the best weights (empty without a test split)."""
        setup = self.setup
        if setup.test_loader is None or not self.run_dir.writable:  # only rank 0 reports
            return {}
        best = self.run_dir.weights_file("best", "torch")
        if best.exists():
            checkpoint.load_weights_into(setup.step.model, best)
        loss, metrics, _ = evaluate(setup.step.model, setup.test_loader, setup.step.loss_fn,
                                    setup.meter, device=setup.device,
                                    amp_dtype=setup.step.amp_dtype,
                                    memory_format=setup.step.memory_format)
        return {"loss": loss, **metrics} if loss is not None else {}


def device_name(setup: RunSetup) -> str:
    from core.training.device import describe

    return describe(setup.device)
