"""Benchmark: a training step in NCHW (contiguous) against NHWC (channels_last) on this device.

    .venv/bin/python bench/memory_format.py [--repeat 15] [--threads N]

The trainer puts models and batches in channels_last on CUDA and on the CPU
(``core.training.device.memory_format``); this is the measurement behind that
choice, for the recipes' three nets at their recipe batch sizes: forward,
loss, backward and optimiser step, median of ``--repeat`` steps after warm-up,
both layouts timed alternately in the same process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.models import create_model  # noqa: E402

CASES = (  # (label, model, options, batch, input (C, H, W), segmentation)
    ("resnet_cifar w16, 32x32", "resnet_cifar", {"width": 16}, 128, (3, 32, 32), False),
    ("lenet, 28x28", "lenet", {}, 128, (1, 28, 28), False),
    ("unet, 160x240", "unet", {}, 4, (3, 160, 240), True),
)


def step_timer(name, options, batch, shape, segmentation, layout):
    """A function running one training step in ``layout``, and the model it trains."""
    torch.manual_seed(0)
    model = create_model(name, **options).to(memory_format=layout)
    images = torch.randn(batch, *shape).contiguous(memory_format=layout)
    if segmentation:
        targets, loss_fn = torch.rand(batch, 1, *shape[1:]), nn.BCEWithLogitsLoss()
    else:
        targets, loss_fn = torch.randint(0, 10, (batch,)), nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)

    def step() -> float:
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(images), targets).backward()
        optimizer.step()
        return time.perf_counter() - started
    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"device cpu, {torch.get_num_threads()} threads, torch {torch.__version__}")
    print("| net, batch | NCHW ms/step | NHWC ms/step | NCHW/NHWC |")
    print("|---|---|---|---|")
    for label, name, options, batch, shape, segmentation in CASES:
        steps = {layout: step_timer(name, options, batch, shape, segmentation, layout)
                 for layout in (torch.contiguous_format, torch.channels_last)}
        times = {layout: [] for layout in steps}
        for step in steps.values():
            for _ in range(3):
                step()  # warm-up: oneDNN picks and caches its kernels
        for _ in range(args.repeat):  # alternate, so drifting load hits both alike
            for layout, step in steps.items():
                times[layout].append(step() * 1000)
        nchw, nhwc = (times[layout] for layout in (torch.contiguous_format, torch.channels_last))
        print(f"| {label}, {batch} | {_spread(nchw)} | {_spread(nhwc)} | "
              f"{statistics.median(nchw) / statistics.median(nhwc):.2f}x |")


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


if __name__ == "__main__":
    main()
