"""Benchmark: every CPU runtime for exported models, side by side, in one run.

    .venv/bin/python bench/export.py [--unet-run RUN_DIR] [--cifar-run RUN_DIR] [--threads 1,2]
                                     [--repeats 15] [--rounds 5] [--eval-limit 100] [--keep DIR]
                                     [--quick]

For the U-Net (``--unet-run``, e.g. one trained on real Carvana; else trained
briefly on demo cars) and the CIFAR CNN (``--cifar-run``; else demo objects):

1. ``core.export`` exports float32 and int8 (QDQ, per-channel, calibrated on the
   training split) and scores every runtime on the held-out split: the task
   metric, its change against float (ONNX Runtime fp32) and the largest
   probability difference, plus the runtime the export recommends.
2. Latency of the network alone (batch of one, preprocessed input) for torch
   eager, ONNX Runtime fp32/int8 and OpenVINO f32/bf16/int8 (bf16 only where the
   CPU lists BF16), at the working size and, for the U-Net, at 640x960, with 1
   and 2 threads. Each runtime is timed ALONE (``core.export.measure.time_alone``:
   a quiet pause, a warm-up call, a block of calls), and the blocks take turns over
   ``--rounds`` rounds so a neighbour's load burst on a shared machine is spread
   over all of them. Printed: median ms [quartiles] and the ratio to ONNX Runtime
   fp32 measured in the same rounds.

Goal (issue #15): the recommended runtime >= 5x ONNX Runtime fp32 at the working
size and at 640x960, Dice drop <= 0.01 against float. (The U-Net up-sampling
table in docs/export.md came from an earlier version of this script, in git
history.)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.export.pipeline import ExportOptions, export_run  # noqa: E402
from core.runs.config import TrainConfig  # noqa: E402
from core.training.api import train  # noqa: E402


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--demo-size", type=int, default=120, help="demo cars to generate")
    parser.add_argument("--skip-cifar", action="store_true")
    parser.add_argument("--skip-unet", action="store_true")
    parser.add_argument("--unet-run", help="reuse a trained U-Net run instead of training")
    parser.add_argument("--cifar-run", help="reuse a trained CIFAR run instead of training")
    parser.add_argument("--cifar-demo-size", type=int, default=2000)
    parser.add_argument("--calib", type=int, default=64)
    parser.add_argument("--threads", default="1,2", help="thread counts to time, e.g. 1,2")
    parser.add_argument("--repeats", type=int, default=15, help="timed calls per runtime and setting")
    parser.add_argument("--rounds", type=int, default=5, help="turns the runtimes take")
    parser.add_argument("--eval-limit", type=int, default=100, help="held-out images scored")
    parser.add_argument("--rewrite", action="store_true",
                        help="export ConvTranspose as 1x1 conv + DepthToSpace (core/export/rewrite.py)")
    parser.add_argument("--keep", help="train and export into this folder (kept) instead of a temporary one")
    parser.add_argument("--quick", action="store_true", help="tiny settings: a smoke run")
    return parser.parse_args()


def train_run(folder: Path, **config) -> str:
    started = time.perf_counter()
    summary = train(TrainConfig(out=str(folder), seed=0, **config))
    print(f"  trained {config.get('model_options') or config['task']} in "
          f"{time.perf_counter() - started:.0f} s: {summary['status']}", file=sys.stderr)
    return str(folder)


def export(run_dir: str, args: argparse.Namespace, out: Path) -> dict:
    """Export float32 + int8 and score every runtime (timing here is the report's own, 1 thread)."""
    options = ExportOptions(quantize="int8", calib=args.calib, out=str(out), threads=1, repeats=3,
                            large_repeats=3, eval_limit=args.eval_limit, rewrite=args.rewrite)
    return export_run(run_dir, options, progress=lambda stage, message: print(
        f"  [{stage}] {message}", file=sys.stderr))


def accuracy_rows(report: dict) -> list[dict]:
    """One row per runtime from the export report: metric, change vs float, verdict."""
    metric = "dice" if report["kind"] == "segmentation" else "accuracy"
    rows = []
    for row in report["runtimes"]:
        if "error" in row and "metrics" not in row:
            rows.append({"runtime": row["name"], metric: "-", "change": "-", "max |diff|": "-",
                         "size MB": "-", "recommendable": row.get("reason") or row["error"]})
            continue
        rows.append({"runtime": row["name"], metric: row["metrics"][metric],
                     "change": row["change"][metric], "max |diff|": row["max_abs_diff"],
                     "size MB": row["size_bytes"] / 1e6,
                     "recommendable": "yes" if row["accepted"] else row["reason"][:60]})
    return rows


def speed_runtimes(report: dict, threads: int) -> dict:
    """name -> predictor for every runtime available here, on ``threads`` threads."""
    from core.export.compare import ForwardPredictor
    from core.export.onnx_predictor import OnnxPredictor
    from core.export.source import load_source

    files = report["files"]
    runtimes = {"onnx_fp32": OnnxPredictor(files["onnx_fp32"], threads=threads),
                "onnx_int8": OnnxPredictor(files["onnx_int8"], threads=threads)}
    try:
        from core.export.openvino_predictor import OpenVinoPredictor, cpu_capabilities

        hints = ["f32"] + (["bf16"] if "BF16" in cpu_capabilities() else [])
        for hint in hints:
            suffix = "" if hint == "f32" else "_bf16"
            runtimes[f"openvino_fp32{suffix}"] = OpenVinoPredictor(files["onnx_fp32"], threads, hint)
            runtimes[f"openvino_int8{suffix}"] = OpenVinoPredictor(files["onnx_int8"], threads, hint)
    except ImportError:
        print("  OpenVINO is not installed: its columns are left out", file=sys.stderr)
    source = load_source(report["run"], "model")
    runtimes["torch_eager"] = ForwardPredictor(_torch_forward(source.torch_model), "torch",
                                               runtimes["onnx_fp32"])
    return runtimes


def _torch_forward(model):
    import numpy as np
    import torch

    def forward(batch):
        with torch.inference_mode():
            return model(torch.from_numpy(np.ascontiguousarray(batch))).numpy()
    return forward


def speed_rows(report: dict, args: argparse.Namespace, sizes: dict[str, tuple]) -> list[dict]:
    """Median ms [q1-q3] per runtime for every size x thread count, each runtime timed alone."""
    import numpy as np

    from core.export import measure

    rows = []
    for threads in args.thread_counts:
        runtimes = speed_runtimes(report, threads)
        for label, shape in sizes.items():
            batch = np.random.default_rng(0).normal(size=(1, *shape)).astype(np.float32)
            calls = {name: (lambda p=predictor: p.logits(batch)) for name, predictor in runtimes.items()}
            with measure.torch_threads(threads):
                timings = measure.time_alone(calls, args.repeats, rounds=args.rounds)
            reference = timings["onnx_fp32"]["median"]
            row = {"size": label, "threads": threads}
            for name, timing in timings.items():
                row[name] = f"{_ms(timing['median'])} [{_ms(timing['q1'])}-{_ms(timing['q3'])}]"
            row.update({f"{name} x": reference / timing["median"] for name, timing in timings.items()
                        if name != "onnx_fp32"})
            rows.append(row)
            print(f"  timed {label} at {threads} thread(s), load average "
                  f"{os.getloadavg()[0]:.1f}", file=sys.stderr)
    return rows


def _ms(value: float) -> str:
    return f"{value:.3g}" if value < 10 else f"{value:.0f}"


def model_tables(name: str, run_dir: str, args: argparse.Namespace, folder: Path) -> None:
    report = export(run_dir, args, folder / f"{name}.int8.onnx")
    working = report["latency_ms"]["working"]["input"]
    sizes = {f"{working[1]}x{working[2]}": tuple(working)}
    if report["kind"] == "segmentation":
        sizes["640x960"] = (working[0], 640, 960)
    heldout = report["heldout"]
    print_table(f"{name}: accuracy of every runtime on {heldout['images']} {heldout['split']} images "
                f"(change and max |diff| of probabilities against ONNX Runtime fp32)",
                accuracy_rows(report))
    print(f"  recommended by the export: {report['recommendation']['text']}")
    print_table(f"{name}: latency of the network, batch of one, median ms [quartiles], each runtime "
                f"alone, {args.rounds} rounds x {args.repeats} calls; 'x' = ONNX Runtime fp32 / runtime",
                speed_rows(report, args, sizes))


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    columns = list(rows[0])
    cells = [[_format(row[column]) for column in columns] for row in rows]
    widths = [max(len(column), *(len(row[i]) for row in cells)) for i, column in enumerate(columns)]
    print("  ".join(column.rjust(width) for column, width in zip(columns, widths)))
    for row in cells:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths)))


def _format(value) -> str:
    if isinstance(value, float):
        value += 0.0  # no "-0.0000"
        return f"{value:.4f}" if abs(value) < 10 else f"{value:.0f}"
    return str(value)


def main() -> int:
    args = parse_arguments()
    if args.quick:
        args.epochs, args.demo_size, args.cifar_demo_size, args.repeats, args.rounds = 1, 48, 400, 2, 2
        args.eval_limit = 20
    args.thread_counts = [int(value) for value in args.threads.split(",")]
    print(f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        folder = Path(args.keep or folder)
        if not args.skip_unet:
            run = args.unet_run or train_run(folder / "unet", task="carvana", epochs=args.epochs,
                                             demo_size=args.demo_size, batch_size=8)
            model_tables("unet", run, args, folder)
        if not args.skip_cifar:
            run = args.cifar_run or train_run(folder / "cifar", task="cifar10", epochs=args.epochs,
                                              demo_size=args.cifar_demo_size, batch_size=64)
            model_tables("cifar_cnn", run, args, folder)
    print(f"load average at end {os.getloadavg()[0]:.1f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
