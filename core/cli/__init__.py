"""Headless command line: ``python main.py info|train|eval|predict|export``.

Each sub-command lives in its own module with ``add_arguments(parser)`` and
``run(args) -> int``. Errors meant for users (CnnLyticalError, bad arguments)
print one line on stderr and exit 2; nothing else is caught.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from core.errors import CnnLyticalError

COMMANDS = {
    "info": "describe a dataset as one JSON object",
    "train": "train a model and write a run directory",
    "eval": "evaluate a run on a dataset, print metrics as JSON",
    "predict": "predict class probabilities or masks for images",
    "export": "export a run to ONNX (optionally int8) with a report",
    "labels": "export a dataset's masks as COCO, VOC, YOLO-seg, labelme or Carvana CSV",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnn-lytical",
        description="CNN-Lytical: small-scale computer vision, headless. "
                    "Run without arguments to open the desktop app.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(f"core.cli.{name}_command").add_arguments(sub)
    return parser


def run_cli(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    module = importlib.import_module(f"core.cli.{args.command}_command")
    try:
        return int(module.run(args) or 0)
    except CnnLyticalError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
