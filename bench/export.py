"""Benchmark: ONNX float32 and calibrated int8 exports against torch eager, in one run.

    .venv/bin/python bench/export.py [--epochs 2] [--demo-size 120] [--unet-run RUN_DIR]
                                     [--cifar-run RUN_DIR] [--keep DIR] [--quick]

1. U-Net (the registry's default CPU U-Net: base width 16, depth 4, transposed-conv
   up-sampling, ~1.9 M parameters), trained briefly on the demo Carvana cars (or
   ``--unet-run``), exported with ``core.export`` (int8: static QDQ, per-channel
   weights, 64 calibration images from the training split). Reported: median
   latency per image at 640x960 for torch eager, ONNX float32 and ONNX int8
   (interleaved), the ratios, the size ratio, and Dice of float32 and int8 on the
   held-out split. Targets: int8 >= 2x faster than ONNX float32 and >= 4x faster
   than torch eager, ~4x smaller, Dice drop <= 0.01.
2. The U-Net's up-sampling modes (transpose, bilinear, nearest): ONNX float32 vs
   int8 latency at 640x960, exported and quantized the same way.
3. CIFAR CNN trained briefly on the demo CIFAR-10 objects (or ``--cifar-run``):
   accuracy of float32 and int8 on the held-out split. Target: drop <= 0.5 points.

torch.set_num_threads(2) and ONNX Runtime intra_op_num_threads=2 (inter_op 1)
for every timing (``--threads``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.export.pipeline import ExportOptions, export_run  # noqa: E402
from core.training.api import train  # noqa: E402
from core.runs.config import TrainConfig  # noqa: E402


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--demo-size", type=int, default=120, help="demo cars to generate")
    parser.add_argument("--up-modes", default="transpose,bilinear,nearest")
    parser.add_argument("--skip-up-modes", action="store_true")
    parser.add_argument("--skip-cifar", action="store_true")
    parser.add_argument("--skip-unet", action="store_true")
    parser.add_argument("--unet-run", help="reuse a trained U-Net run instead of training")
    parser.add_argument("--cifar-run", help="reuse a trained CIFAR run instead of training")
    parser.add_argument("--cifar-demo-size", type=int, default=2000)
    parser.add_argument("--calib", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7, help="latency samples per engine")
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
    options = ExportOptions(quantize="int8", calib=args.calib, out=str(out), threads=args.threads,
                            repeats=args.repeats, large_repeats=args.repeats, eval_limit=500,
                            rewrite=args.rewrite)
    return export_run(run_dir, options)


def unet_row(args: argparse.Namespace, folder: Path) -> dict:
    run_dir = args.unet_run or train_run(folder / "unet", task="carvana", epochs=args.epochs,
                                         demo_size=args.demo_size, batch_size=8)
    report = export(run_dir, args, folder / "unet.int8.onnx")
    large, metrics = report["latency_ms"]["640x960"], report["metrics"]
    return {"model": f"unet ({report['heldout']['images']} {report['heldout']['split']} images)",
            "torch ms": large["torch_eager"], "fp32 ms": large["onnx_fp32"],
            "int8 ms": large["onnx_int8"], "int8/fp32 x": large["speedup_int8_vs_fp32"],
            "int8/torch x": large["speedup_int8_vs_torch"],
            "size x": report["size_bytes"]["ratio_fp32_over_int8"],
            "dice fp32": metrics["fp32"]["dice"], "dice int8": metrics["int8"]["dice"],
            "dice drop": -metrics["difference"]["dice"],
            "pixels changed": report["changed_predictions"]["share"]}


def up_mode_rows(args: argparse.Namespace, folder: Path) -> list[dict]:
    """Latency only: each up-sampling mode's U-Net (same width and depth, untrained weights:
    speed does not depend on them) exported and quantized as core.export does, then every
    session timed in one interleaved loop so the rows compare with each other."""
    import numpy as np

    from core.data import demo_dataset
    from core.export import measure
    from core.export.onnx_export import export_onnx
    from core.export.quantize import TrainingSplitReader, quantize_int8
    from core.export.rewrite import int8_friendly
    from core.models import create_model
    from core.training.loaders import make_preprocess

    dataset = demo_dataset("carvana", size=40, seed=0)
    preprocess = make_preprocess("carvana", dataset, None)
    example = preprocess(dataset[int(dataset.splits["train"][0])].image)[None]
    large = np.random.default_rng(0).normal(size=(1, 3, *measure.LARGE_SIZE)).astype(np.float32)
    variants = [(mode, False) for mode in args.up_modes.split(",")]
    if "transpose" in args.up_modes:
        variants.insert(1, ("transpose", True))
    calls = {}
    for mode, rewrite in variants:
        name = f"{mode}{' as 1x1 conv + DepthToSpace' if rewrite else ''}"
        slug = f"{mode}-rewritten" if rewrite else mode
        fp32_path, int8_path = folder / f"{slug}.onnx", folder / f"{slug}.int8.onnx"
        model = create_model("unet", up_mode=mode).eval()
        if rewrite:
            model, _ = int8_friendly(model)
        export_onnx(model, example, fp32_path, dynamic_size=True, metadata={"kind": "segmentation"})
        quantize_int8(fp32_path, int8_path, TrainingSplitReader(dataset, preprocess, 16))
        for precision, path in (("fp32", fp32_path), ("int8", int8_path)):
            session = _session(path, args.threads)
            calls[(name, precision)] = lambda s=session: s.run(None, {"image": large})
    times = measure.median_latency_ms(calls, args.repeats)  # all variants interleaved
    names = list(dict.fromkeys(name for name, _ in calls))
    return [{"up_mode": name, "fp32 ms": times[(name, "fp32")], "int8 ms": times[(name, "int8")],
             "int8/fp32 x": times[(name, "fp32")] / times[(name, "int8")]} for name in names]


def _session(path: Path, threads: int):
    from core.export.onnx_predictor import open_session

    return open_session(path, threads)


def cifar_row(args: argparse.Namespace, folder: Path) -> dict:
    run_dir = args.cifar_run or train_run(folder / "cifar", task="cifar10", epochs=args.epochs,
                                          demo_size=args.cifar_demo_size, batch_size=64)
    report = export(run_dir, args, folder / "cifar.int8.onnx")
    metrics, latency = report["metrics"], report["latency_ms"]["working"]
    return {"model": report["model"], "acc fp32": metrics["fp32"]["accuracy"],
            "acc int8": metrics["int8"]["accuracy"],
            "drop (points)": -100 * metrics["difference"]["accuracy"],
            "images changed": report["changed_predictions"]["share"],
            "images": report["heldout"]["images"], "int8/fp32 x": latency["speedup_int8_vs_fp32"],
            "size x": report["size_bytes"]["ratio_fp32_over_int8"]}


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
        args.epochs, args.demo_size, args.cifar_demo_size, args.repeats = 1, 48, 400, 2
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        folder = args.keep or folder
        if not args.skip_unet:
            print_table(f"U-Net at 640x960, {args.threads} threads (torch and ONNX Runtime), "
                        "median ms per image; targets: int8/fp32 >= 2, int8/torch >= 4, size ~4, "
                        "dice drop <= 0.01", [unet_row(args, Path(folder))])
        if not args.skip_up_modes:
            print_table("U-Net up-sampling modes at 640x960 (ONNX Runtime only, same calibration)",
                        up_mode_rows(args, Path(folder)))
        if not args.skip_cifar:
            print_table("Classification (held-out split); target: int8 accuracy drop <= 0.5 points",
                        [cifar_row(args, Path(folder))])
    return 0


if __name__ == "__main__":
    sys.exit(main())
