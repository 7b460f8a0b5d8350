"""``train``: build a TrainConfig from arguments, train, print the summary as JSON.

A progress bar goes to stderr; the summary JSON to stdout. Ctrl+C asks the
trainer to stop after the current batch (the run directory keeps the last
complete epoch); a second Ctrl+C interrupts at once.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
from typing import Any

from core.cli.common import (add_data_arguments, add_engine_argument, fraction, image_side,
                             non_negative_float, non_negative_int, output_folder, positive_float,
                             positive_int, print_json, seed)
from core.errors import TrainingError
from core.runs.config import TrainConfig

OPTIONAL_FIELDS = {  # argument dest -> TrainConfig field, used only when given
    "model": "model", "data": "data", "out": "out", "epochs": "epochs",
    "batch_size": "batch_size", "lr": "lr", "optimizer": "optimizer",
    "schedule": "schedule", "loss": "loss", "device": "device", "seed": "seed",
    "limit": "limit", "workers": "workers", "weight_decay": "weight_decay",
    "label_smoothing": "label_smoothing", "grad_clip": "grad_clip",
    "early_stopping": "early_stopping", "image_size": "image_size",
    "demo_size": "demo_size", "init_from": "init_from", "mask_overrides": "mask_overrides",
    "changed_pixel_weight": "changed_pixel_weight",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from core.training.schedules import OPTIMIZERS, SCHEDULES

    add_data_arguments(parser)
    add_engine_argument(parser)
    parser.add_argument("--model", help="model registry name (default: the task's)")
    parser.add_argument("--model-option", action="append", default=[], metavar="KEY=VALUE",
                        help="model option, e.g. base_width=32 (repeatable; VALUE is JSON)")
    parser.add_argument("--out", type=output_folder, metavar="RUN_DIR", help="run directory (default runs/<task>-<engine>-<time>)")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue a stopped torch run")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the run already in --out (default: refuse)")
    parser.add_argument("--init-from", metavar="RUN_OR_FILE",
                        help="start from another run's weights: a run dir, a .pt, or a numpy .npz "
                             "such as init.npz")
    parser.add_argument("--epochs", type=positive_int)
    parser.add_argument("--batch-size", type=positive_int)
    parser.add_argument("--lr", type=positive_float)
    parser.add_argument("--optimizer", choices=OPTIMIZERS)
    parser.add_argument("--schedule", choices=SCHEDULES)
    parser.add_argument("--loss", choices=("auto", "ce", "bce", "dice", "bce_dice", "focal", "tversky"))
    parser.add_argument("--weight-decay", type=non_negative_float)
    parser.add_argument("--label-smoothing", type=fraction)
    parser.add_argument("--grad-clip", type=non_negative_float, help="max global gradient norm (0 = off)")
    parser.add_argument("--early-stopping", type=positive_int, metavar="PATIENCE")
    parser.add_argument("--image-size", type=image_side,
                        help="segmentation working height, a multiple of 16 (0 = native size)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda", "mps"))
    parser.add_argument("--seed", type=seed)
    parser.add_argument("--limit", type=positive_int, help="use at most N training items")
    parser.add_argument("--demo-size", type=positive_int, help="number of demo items to generate")
    parser.add_argument("--workers", type=non_negative_int,
                        help="DataLoader worker processes (spawned); NumPy engine: helper processes "
                             "that each take a share of every batch (docs/numpy_engine.md)")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                        help="training-split augmentation on/off (default: the task's recipe, else on)")
    parser.add_argument("--no-amp", action="store_true", help="no mixed precision on CUDA")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model")
    parser.add_argument("--mask-overrides", metavar="FOLDER", help="user-corrected masks that win")
    parser.add_argument("--changed-pixel-weight", type=non_negative_float)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def build_config(args: argparse.Namespace) -> TrainConfig:
    """Arguments -> TrainConfig; with --resume the stored run fills what was not given."""
    values: dict[str, Any] = {}
    if args.resume:
        from core.runs.run_dir import RunDir

        values = RunDir.open(args.resume).read_config()
        values["resume"] = args.resume
    elif args.task is None:
        raise TrainingError("train needs --task (or --resume RUN_DIR)")
    if args.task:
        values["task"] = args.task
    if args.engine:
        values["engine"] = args.engine
    for dest, name in OPTIONAL_FIELDS.items():
        if getattr(args, dest, None) is not None:
            values[name] = getattr(args, dest)
    if args.model_option:
        values["model_options"] = {**values.get("model_options", {}),
                                   **_parse_options(args.model_option)}
    if args.augment is not None:
        values["augment"] = args.augment
    if args.no_amp:
        values["amp"] = False
    if args.compile:
        values["compile"] = True
    if args.overwrite:
        values["overwrite"] = True
    from core.recipes import with_recipe
    values = with_recipe(values)  # the task's measured recipe under the given flags (docs/recipes.md)
    try:
        return TrainConfig.from_dict(values)
    except (ValueError, TypeError) as error:
        raise TrainingError(str(error)) from None


def _parse_options(pairs: list[str]) -> dict[str, Any]:
    options = {}
    for pair in pairs:
        key, separator, text = pair.partition("=")
        if not separator or not key:
            raise TrainingError(f"--model-option {pair!r}: expected KEY=VALUE")
        try:
            options[key] = json.loads(text)
        except json.JSONDecodeError:
            options[key] = text
    return options


def run(args: argparse.Namespace) -> int:
    from core.training.api import train
    from core.runs.events import CancelToken

    config = build_config(args)
    cancel = CancelToken()
    progress = ProgressPrinter(enabled=not args.quiet and int(os.environ.get("RANK", "0")) == 0)
    previous = _install_interrupt(cancel)
    try:
        summary = train(config, progress, cancel)
    except ValueError as error:  # a bad option reaching a builder (loss, model, schedule)
        raise TrainingError(str(error)) from None
    finally:
        progress.close()
        signal.signal(signal.SIGINT, previous)
    if int(os.environ.get("RANK", "0")) == 0:  # under torchrun only rank 0 reports
        print_json(summary)
    return 0 if summary.get("status") == "finished" else 1


def _install_interrupt(cancel):
    def on_interrupt(signum, frame):
        cancel.cancel()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    return signal.signal(signal.SIGINT, on_interrupt)


class ProgressPrinter:
    """Training events -> a tqdm bar on stderr and one line per epoch."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.bar = None

    def __call__(self, event) -> None:
        from core.runs.events import BatchEnd, EpochEnd, RunEnded, RunStarted

        if not self.enabled:
            return
        if isinstance(event, RunStarted):
            self._open(event.num_epochs * event.batches_per_epoch, event.device)
        elif isinstance(event, BatchEnd) and self.bar is not None:
            self.bar.set_postfix(epoch=event.epoch, loss=f"{event.loss:.4f}",
                                 samples_s=f"{event.samples_per_s:.0f}", refresh=False)
            self.bar.update(1)
        elif isinstance(event, EpochEnd):
            self._write(_epoch_line(event))
        elif isinstance(event, RunEnded):
            self.close()
            if event.status != "failed":  # failures reach the user as the CLI's error line
                self._write(f"{event.status}: {event.message}" if event.message else event.status)

    def _open(self, total: int, device: str) -> None:
        import sys

        from tqdm import tqdm

        self.bar = tqdm(total=total, file=sys.stderr, unit="batch", dynamic_ncols=True,
                        desc=f"train [{device}]", mininterval=0.5)

    def _write(self, line: str) -> None:
        import sys

        from tqdm import tqdm

        tqdm.write(line, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _epoch_line(event) -> str:
    metrics = " ".join(f"{name} {value:.4f}" for name, value in event.metrics.items()
                       if value == value)
    val = f" val_loss {event.val_loss:.4f}" if event.val_loss is not None else ""
    best = " *" if event.is_best else ""
    return (f"epoch {event.epoch}/{event.num_epochs} train_loss {event.train_loss:.4f}{val} "
            f"{metrics} ({event.seconds:.1f}s, {event.samples_per_s:.0f} samples/s){best}")
