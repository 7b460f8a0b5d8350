"""The NumPy engine's trainer: ``train_numpy(config, on_event, cancel) -> summary``.

Same events and run directory as the torch trainer, so the CLI and the GUI
cannot tell the engines apart: config.json, metrics.jsonl (one line per
epoch), model.npz rewritten at every epoch end, best.npz, summary.json, and
init.npz (the starting weights, fresh runs only).

Progress bars belong to the caller (the CLI draws one from BatchEnd events).
Cancel is checked between batches. A NaN/inf loss stops the run as "failed"
(summary written, RunEnded emitted, then TrainingError raised like the torch
engine) and keeps the weights of the last complete epoch, in memory and on disk.
checkpoint.npz (weights, optimiser state, counters, random streams) lets
``config.resume`` continue a stopped run exactly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import RunError, TrainingError, one_line
from core.numpy_cnn.checkpoint import generators, load_checkpoint, save_checkpoint
from core.numpy_cnn.data import SplitArrays, batch_count, batch_indices, random_shift, split_arrays
from core.numpy_cnn.losses import cross_entropy, softmax, softmax_cross_entropy
from core.numpy_cnn.model import Sequential, build_model
from core.numpy_cnn.optim import Optimizer, build_optimizer, clip_grad_norm
from core.numpy_cnn.parallel import DataParallel
from core.numpy_cnn.schedules import LRSchedule
from core.numpy_cnn.serialize import load_model, load_weights_into, save_model
from core.tasks import MNIST_PREPROCESS
from core.runs.config import TrainConfig
from core.runs.events import (BatchEnd, CancelToken, EpochEnd, EventCallback, PreviewSample,
                                  RunEnded, RunStarted, ignore_event)
from core.runs.dataset import training_dataset
from core.runs.lifecycle import EngineRun, EpochBook, NonFiniteLoss
from core.runs.run_dir import RunDir, default_run_dir, starting_weights

PREVIEW_COUNT = 4
MAX_SHIFT = 2          # pixels of random translation when config.augment is on
EVAL_BATCH = 32
DEVICE = "cpu (NumPy)"


def train_numpy(config: TrainConfig, on_event: EventCallback = ignore_event,
                cancel: CancelToken | None = None) -> dict[str, Any]:
    """Train ``config.model`` (default lenet_numpy) on MNIST-style digits; returns the summary."""
    cancel = cancel or CancelToken()
    if config.resume:
        config = replace(config, out=config.resume)
    elif not config.out:
        config = replace(config, out=str(default_run_dir(config.task, "numpy")))
    run_dir = RunDir(config.out)
    try:
        run_dir.claim(fresh=not config.resume, overwrite=config.overwrite)
        run = NumpyRun.prepare(config, run_dir)
    except BaseException as error:
        run_dir.release()
        on_event(RunEnded("failed", config.out, one_line(error)))
        raise
    return NumpyTrainer(run, on_event, cancel).run()


@dataclass
class NumpyRun:
    """Everything a run needs, built before the first epoch."""

    config: TrainConfig
    class_names: list[str]
    train: SplitArrays
    val: SplitArrays
    test: SplitArrays | None
    model: Sequential
    optimizer: Optimizer
    schedule: LRSchedule
    run_dir: RunDir
    rng: np.random.Generator
    parallel: DataParallel | None = None   # config.workers helper processes share each batch

    @classmethod
    def prepare(cls, config: TrainConfig, run_dir: RunDir) -> "NumpyRun":
        dataset = _load_dataset(config)
        preprocess = MNIST_PREPROCESS
        train = split_arrays(dataset, "train", preprocess, config.limit)
        val = split_arrays(dataset, "val", preprocess)
        if train is None or val is None or len(train) < 2:
            raise TrainingError(f"{config.data or 'demo data'}: training needs train and val items")
        try:
            model = build_model(config.model_for("classification"), seed=config.seed)
        except ValueError as error:
            raise TrainingError(str(error)) from None
        if config.init_from:
            _load_init(model, starting_weights(config.init_from))
        test = split_arrays(dataset, "test", preprocess)
        # before the optimiser: DataParallel moves the parameters into shared memory
        parallel = DataParallel(model, config.workers, config.batch_size, config.seed) \
            if config.workers else None
        try:
            params = [param for _, param, _ in model.named_params()]
            optimizer = build_optimizer(config.optimizer, params, config.lr, config.weight_decay)
            steps_per_epoch = batch_count(len(train), config.batch_size)
            schedule = LRSchedule(config.schedule, config.lr, steps_per_epoch * config.epochs,
                                  steps_per_epoch)
        except BaseException:
            if parallel is not None:
                parallel.close()
            raise
        return cls(config, list(dataset.class_names), train, val, test, model, optimizer, schedule,
                   run_dir, np.random.default_rng(config.seed), parallel)

    @property
    def config_record(self) -> dict[str, Any]:
        return {**self.config.to_dict(), "engine": "numpy", "task": self.config.task,
                "kind": "classification", "class_names": self.class_names,
                "preprocess": MNIST_PREPROCESS.to_dict(), "model": self.config.model_for("classification"),
                "model_options": {}}


def _load_dataset(config: TrainConfig):
    dataset = training_dataset(config)
    if dataset.kind != "classification" or len(dataset.class_names) != 10:
        raise TrainingError(f"{config.data or 'demo data'}: the numpy engine needs 10-class digit data")
    return dataset


def _load_init(model: Sequential, path: Path) -> None:
    """NumPy weights as they are; torch weights (.pt) of the twin ``lenet`` converted."""
    if path.suffix != ".pt":
        load_weights_into(model, path)
        return
    from core.numpy_cnn.torch_twin import load_torch_state
    from core.runs.weights import state_dict

    load_torch_state(model, state_dict(path), path)


def evaluate(model: Sequential, split: SplitArrays, cancel: CancelToken | None = None,
             batch_size: int = EVAL_BATCH) -> tuple[float, float] | None:
    """(mean loss, accuracy) in eval mode; None if cancelled midway."""
    total_loss, correct = 0.0, 0
    for indices in batch_indices(len(split), batch_size, None):
        if cancel is not None and cancel.cancelled:
            return None
        logits = model.forward(split.images[indices], training=False)
        loss = cross_entropy(logits, split.labels[indices])
        total_loss += loss * len(indices)
        correct += int((logits.argmax(axis=1) == split.labels[indices]).sum())
    return total_loss / len(split), correct / len(split)


class NumpyTrainer(EngineRun):
    """Runs the epochs of one prepared ``NumpyRun``; an ``EpochBook`` keeps the score."""

    def __init__(self, run: NumpyRun, emit: EventCallback, cancel: CancelToken):
        self.run_setup, self.emit, self.cancel = run, emit, cancel
        self.config, self.model, self.run_dir = run.config, run.model, run.run_dir
        self.book = EpochBook(self.run_dir, metric="accuracy", epochs=self.config.epochs,
                              patience=self.config.early_stopping,
                              identity={"device": DEVICE, "engine": "numpy", "task": self.config.task,
                                        "model": self.config.model_for("classification")})
        self.step = 0
        self.samples_per_s = 0.0
        self.last_good = self.model.state()
        self.best_state = self.last_good
        self.fill = (0.0 - np.asarray(MNIST_PREPROCESS.mean, np.float32)) / np.asarray(
            MNIST_PREPROCESS.std, np.float32)   # a black pixel after normalising, per channel

    def _start(self) -> None:
        record = self.run_setup.config_record
        if self.config.resume:
            self._restore()
        else:  # the starting point, to compare with a twin run (see to_torch)
            save_model(self.model, self.run_dir.weights_file("init", "numpy"))
        self.run_dir.write_config(record)
        batches = batch_count(len(self.run_setup.train), self.config.batch_size)
        parallel = self.run_setup.parallel
        device = f"{DEVICE}, {parallel.processes_used} processes" if parallel else DEVICE
        self.emit(RunStarted(str(self.run_dir.path), record, self.config.epochs, batches, device))

    def run(self) -> dict[str, Any]:
        try:
            return super().run()
        finally:
            if self.run_setup.parallel is not None:
                self.run_setup.parallel.close()

    def _keep_last_good(self) -> None:
        self.model.load_state(self.last_good)

    def _one_epoch(self, epoch: int) -> bool:
        """Train, validate, save and report one epoch; False when cancelled midway."""
        epoch_started = time.perf_counter()
        train_loss = self._train_epoch(epoch)
        if train_loss is None:
            return False
        result = evaluate(self.model, self.run_setup.val, self.cancel)
        if result is None:
            return False
        val_loss, accuracy = result
        seconds = time.perf_counter() - epoch_started  # training and validation
        is_best = self.book.epoch_end({"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss,
                                       "accuracy": accuracy, "seconds": seconds,
                                       "lr": self.run_setup.optimizer.lr,
                                       "samples_per_s": self.samples_per_s})
        if is_best:
            self.best_state = self.model.state()
        self.run_setup.schedule.after_epoch(accuracy)
        self.last_good = self.model.state()
        self._save(is_best)
        self.book.commit()
        self.emit(EpochEnd(epoch, self.config.epochs, train_loss, val_loss, {"accuracy": accuracy},
                           seconds, self.samples_per_s, is_best, self._previews()))
        return True

    def _train_epoch(self, epoch: int) -> float | None:
        """One pass over the shuffled training split; mean loss, or None when cancelled."""
        run, config = self.run_setup, self.config
        batches = batch_indices(len(run.train), config.batch_size, run.rng)
        if run.parallel is not None:
            run.parallel.start_epoch(epoch)
        total_loss, seen, started = 0.0, 0, time.perf_counter()
        for number, indices in enumerate(batches, 1):
            if self.cancel.cancelled:
                return None
            loss = self._train_step(run.train.images[indices], run.train.labels[indices], epoch, number)
            total_loss, seen = total_loss + loss * len(indices), seen + len(indices)
            self.samples_per_s = seen / max(time.perf_counter() - started, 1e-9)
            self.emit(BatchEnd(epoch, number, len(batches), loss, self.samples_per_s))
        return total_loss / seen

    def _train_step(self, images: np.ndarray, labels: np.ndarray, epoch: int, batch: int) -> float:
        run, config = self.run_setup, self.config
        if config.augment:
            images = random_shift(images, run.rng, MAX_SHIFT, self.fill)
        if run.parallel is not None:
            loss = run.parallel.step(images, labels, config.label_smoothing)
        else:
            logits = self.model.forward(images, training=True)
            loss, dlogits = softmax_cross_entropy(logits, labels, config.label_smoothing)
            self.model.backward(dlogits, input_grad=False)
        if not np.isfinite(loss):
            raise NonFiniteLoss(f"loss became {loss} at epoch {epoch}, batch {batch}; try a lower "
                                f"learning rate (now {config.lr:g}) or --grad-clip; kept the "
                                f"weights of epoch {self.book.epochs_done}")
        grads = [grad for _, _, grad in self.model.named_params()]
        if config.grad_clip:
            clip_grad_norm(grads, config.grad_clip)
        run.optimizer.lr = run.schedule.lr_at(self.step)
        run.optimizer.step(grads)
        self.step += 1
        return loss

    def _save(self, is_best: bool) -> None:
        save_model(self.model, self.run_dir.weights_file("latest", "numpy"))
        if is_best:
            save_model(self.model, self.run_dir.weights_file("best", "numpy"))
        schedule = self.run_setup.schedule
        record = {"epoch": self.book.epochs_done, "step": self.step, "book": self.book.state(),
                  "lr": self.run_setup.optimizer.lr,
                  "schedule": [schedule.plateau_factor, schedule.best_metric, schedule.epochs_without_gain]}
        save_checkpoint(self.run_dir.weights_file("checkpoint", "numpy"), self.model,
                        self.run_setup.optimizer, record, generators(self.model, self.run_setup.rng))

    def _restore(self) -> None:
        """Continue a stopped run: weights, optimiser state, counters and random streams."""
        run = self.run_setup
        record = load_checkpoint(self.run_dir.weights_file("checkpoint", "numpy"), self.model,
                                 run.optimizer, generators(self.model, run.rng))
        if not isinstance(record.get("book"), dict):
            raise RunError(self.run_dir.weights_file("checkpoint", "numpy"),
                           "written by an older version; start a new run from its weights with --init-from")
        self.step = int(record["step"])
        self.book.restore(record["book"])
        run.optimizer.lr = float(record["lr"])
        (run.schedule.plateau_factor, run.schedule.best_metric,
         run.schedule.epochs_without_gain) = record["schedule"]
        self.last_good = self.model.state()
        best = self.run_dir.weights_file("best", "numpy")
        self.best_state = load_model(best).state() if best.is_file() else self.last_good

    def _previews(self) -> tuple[PreviewSample, ...]:
        """Predictions on the first few validation items, so a viewer can watch learning."""
        val = self.run_setup.val
        count = min(PREVIEW_COUNT, len(val))
        probabilities = softmax(self.model.forward(val.images[:count], training=False))
        samples = [val.view[index] for index in range(count)]
        return tuple(PreviewSample(sample.item_id, np.asarray(sample.image), int(sample.target),
                                   probabilities[index].astype(np.float32))
                     for index, sample in enumerate(samples))

    def _test_metrics(self) -> dict[str, Any]:
        """Loss and accuracy on the test split with the best weights (empty without one)."""
        test = self.run_setup.test
        if test is None:
            return {}
        final = self.model.state()
        self.model.load_state(self.best_state)
        loss, accuracy = evaluate(self.model, test)
        self.model.load_state(final)
        return {"loss": loss, "accuracy": accuracy}
