"""Headless command line: ``python main.py info|train|eval|predict|export``.

Each sub-command lives in its own module with ``add_arguments(parser)`` and
``run(args) -> int``. Errors meant for users (CnnLyticalError, bad arguments,
an output folder that is read-only or full) print one line on stderr and exit 2;
nothing else is caught. Dataset warnings (a skipped broken link) print as one
``warning:`` line each.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from core.errors import CnnLyticalError, DataWarning

COMMANDS = {
    "info": "describe a dataset as one JSON object",
    "train": "train a model and write a run directory",
    "eval": "evaluate a run on a dataset, print metrics as JSON",
    "predict": "predict class probabilities or masks for images",
    "export": "export a run to ONNX (optionally int8) with a report",
    "labels": "export a dataset's masks as COCO, VOC, YOLO-seg, labelme or Carvana CSV",
}


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line naming the flag (no usage block)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
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
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(module.run(args) or 0)
    except CnnLyticalError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # e.g. a read-only or full output folder; atomic writes kept old files
        where = error.filename or error.filename2
        print(f"error: {where}: {error.strerror or error}" if where else f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, DataWarning):
        print(f"warning: {message}", file=sys.stderr)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
