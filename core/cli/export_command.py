"""``python main.py export --run RUN_DIR --format onnx [--quantize int8] [--calib N] [--out FILE]``

Prints the JSON report (also written beside the model as <name>.report.json, with the
recommended runtime as <name>.runtime.json, which ``predict --runtime auto`` reads).
Progress goes to stderr so stdout stays one JSON object.
"""

from __future__ import annotations

import argparse
import sys

from core.cli.common import output_file, positive_int, print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", required=True, metavar="RUN_DIR", help="run directory to export")
    parser.add_argument("--format", default="onnx", choices=["onnx"], help="export format")
    parser.add_argument("--quantize", choices=["int8"], default=None,
                        help="also write a statically quantized int8 model (QDQ, per-channel)")
    parser.add_argument("--calib", type=positive_int, default=64, metavar="N",
                        help="calibration images from the TRAINING split (default 64)")
    parser.add_argument("--out", type=output_file, metavar="FILE",
                        help="output .onnx (default RUN_DIR/model.onnx, or model.int8.onnx)")
    parser.add_argument("--eval-limit", type=positive_int, default=200, metavar="N",
                        help="held-out images scored in the report (default 200)")
    parser.add_argument("--threads", type=positive_int, default=2,
                        help="torch, ONNX Runtime and OpenVINO threads while timing (default 2)")
    parser.add_argument("--repeats", type=positive_int, default=10, help="latency samples per engine")
    parser.add_argument("--weights", choices=["model", "best"], default="model",
                        help="latest epoch (model) or best validation epoch (best)")


def run(args: argparse.Namespace) -> int:
    from core.errors import RunError
    from core.export.pipeline import ExportOptions, export_run
    from core.runs.run_dir import RunDir

    RunDir.open(args.run)  # a bad run directory fails in one line, before any progress output
    try:
        options = ExportOptions(format=args.format, quantize=args.quantize, calib=args.calib,
                                out=args.out, eval_limit=args.eval_limit, threads=args.threads,
                                repeats=args.repeats, weights=args.weights)
    except ValueError as error:
        raise RunError(args.run, str(error)) from None
    report = export_run(args.run, options, progress=_print_progress)
    print_json(report)
    return 0


def _print_progress(stage: str, message: str) -> None:
    print(f"[{stage}] {message}", file=sys.stderr, flush=True)
