"""Benchmark: the Trainer against a bare hand-written torch loop, and U-Net inference.

    .venv/bin/python bench/trainer.py [--device auto] [--items 2000] [--epochs 3] [--threads N]

1. Training throughput (samples/s) of ``train_torch`` against a hand-written
   loop on the same model, optimiser, DataLoader and device, measured in the
   same run (best of ``--repeats``, first epoch left out as warm-up). The
   Trainer's figure covers its training phase (events, cancel checks, loss
   read-back, NaN checks); validation and checkpoint writing are reported
   separately as seconds per epoch. A third row shows the same loop over
   tensors already in memory: the cost of the data pipeline itself.
2. U-Net inference ms per image at 256x256 and 640x960 through the Predictor
   (preprocessing, forward, sigmoid, copy back) against the bare forward pass.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.inference import Predictor  # noqa: E402
from core.models import create_model  # noqa: E402
from core.preprocess import Preprocess  # noqa: E402
from core.training.api import train  # noqa: E402
from core.runs.config import TrainConfig  # noqa: E402
from core.training.ddp import Distributed  # noqa: E402
from core.training.device import autocast  # noqa: E402
from core.runs.events import EpochEnd, EventLog  # noqa: E402
from core.training.setup import build_setup  # noqa: E402


def synchronize(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def trainer_throughput(config: TrainConfig) -> tuple[float, float]:
    """(training samples/s of the warm epochs, whole-epoch seconds incl. validation and saving)."""
    log = EventLog()
    train(config, log)
    epochs = log.of(EpochEnd)[1:]
    return (statistics.mean(e.samples_per_s for e in epochs),
            statistics.mean(e.seconds for e in epochs))


def bare_throughput(config: TrainConfig, in_memory: bool) -> float:
    """The same model, optimiser and loader, driven by the loop everyone writes first."""
    setup = build_setup(config, Distributed())
    model, optimizer, device = setup.step.model, setup.step.optimizer, setup.device
    loss_fn = torch.nn.CrossEntropyLoss()
    batches = list(setup.train_loader) if in_memory else setup.train_loader
    if in_memory:
        batches = [(x.to(device), y.to(device)) for x, y in batches]
    rates = []
    for epoch in range(config.epochs):
        model.train()
        start, samples = time.perf_counter(), 0
        for images, labels in batches:
            images = images.to(device, non_blocking=True)
            labels = labels.to(device, non_blocking=True)
            if setup.step.memory_format is not None:
                images = images.contiguous(memory_format=setup.step.memory_format)
            with autocast(device, setup.step.amp_dtype):
                logits = model(images)
            loss = loss_fn(logits.float(), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            samples += len(images)
        synchronize(device)
        if epoch > 0:
            rates.append(samples / (time.perf_counter() - start))
    return statistics.mean(rates)


def training_rows(args) -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        def config(name: str) -> TrainConfig:
            return TrainConfig(task="cifar10", model=args.model, epochs=args.epochs,
                               batch_size=args.batch_size, demo_size=args.items, augment=False,
                               device=args.device, seed=0, out=str(Path(folder) / name),
                               workers=args.workers)

        trainer, bare, memory, epoch_seconds = [], [], [], []
        for repeat in range(args.repeats):
            bare.append(bare_throughput(config(f"bare{repeat}"), in_memory=False))
            rate, seconds = trainer_throughput(config(f"trainer{repeat}"))
            trainer.append(rate)
            epoch_seconds.append(seconds)
            memory.append(bare_throughput(config(f"memory{repeat}"), in_memory=True))
    best_bare, best_trainer = max(bare), max(trainer)
    train_items = int(args.items * 0.8)
    return [
        ("bare loop, same DataLoader (reference)", f"{best_bare:,.0f} samples/s", "1.00"),
        ("Trainer (train_torch), training phase", f"{best_trainer:,.0f} samples/s",
         f"{best_trainer / best_bare:.3f}"),
        ("Trainer, whole epoch incl. validation + checkpoints",
         f"{min(epoch_seconds):.2f} s/epoch",
         f"{(train_items / best_bare) / min(epoch_seconds):.3f}"),
        ("bare loop over tensors already in memory", f"{max(memory):,.0f} samples/s",
         f"{max(memory) / best_bare:.3f}"),
    ]


def inference_rows(args, device) -> list[tuple[str, str, str]]:
    torch.manual_seed(0)
    model = create_model("unet", base_width=args.unet_width).to(device).eval()
    preprocess = Preprocess(3, None, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    predictor = Predictor(model, kind="segmentation", task="carvana",
                          class_names=["background", "car"], preprocess=preprocess, device=device)
    rows = []
    rng = np.random.default_rng(0)
    for height, width in ((256, 256), (640, 960)):
        image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        tensor = torch.from_numpy(preprocess(image)[None]).to(device)

        def bare() -> None:
            with torch.no_grad():
                model(tensor)
            synchronize(device)

        bare_ms = _median_ms(bare, args.inference_repeats)
        predictor_ms = _median_ms(lambda: predictor.predict(image), args.inference_repeats)
        rows.append((f"U-Net w{args.unet_width} {height}x{width}: bare forward (reference)",
                     f"{bare_ms:.1f} ms/image", "1.00"))
        rows.append((f"U-Net w{args.unet_width} {height}x{width}: Predictor.predict",
                     f"{predictor_ms:.1f} ms/image", f"{predictor_ms / bare_ms:.3f}"))
    return rows


def _median_ms(function, repeats: int) -> float:
    function()  # warm-up (allocations, cuDNN autotuning)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--model", default="cifar_cnn")
    parser.add_argument("--items", type=int, default=2000, help="demo CIFAR-style items")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--unet-width", type=int, default=16)
    parser.add_argument("--inference-repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    from core.training.device import describe, pick_device

    device = pick_device(args.device)
    print(f"device: {describe(device)}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    rows = training_rows(args) + inference_rows(args, device)
    width = max(len(name) for name, _, _ in rows)
    print(f"{'measurement':<{width}}  {'figure':>18}  ratio")
    for name, figure, ratio in rows:
        print(f"{name:<{width}}  {figure:>18}  {ratio}")


if __name__ == "__main__":
    main()
