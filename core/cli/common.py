"""Argument helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Any

from core.tasks import ENGINES, TASK_NAMES


def add_data_arguments(parser: argparse.ArgumentParser, *, task_required: bool = False) -> None:
    parser.add_argument("--task", choices=TASK_NAMES, required=task_required,
                        help="force the task/format instead of detecting it")
    parser.add_argument("--data", metavar="PATH",
                        help="dataset folder or file; omitted = built-in demo data")


def add_engine_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=ENGINES, default=None,
                        help="numpy (MNIST, from scratch) or torch; default depends on the task")


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")


# --- argument types: every bad value is refused by argparse in one line naming the flag ---

SIZE_MULTIPLE = 16  # working sizes: U-Net depth 4 halves four times (core/training/loaders.py)


def _number(text: str, kind: type, what: str):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value


def positive_int(text: str) -> int:
    value = _number(text, int, "a whole number >= 1")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    value = _number(text, int, "a whole number >= 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def seed(text: str) -> int:
    value = non_negative_int(text)
    if value >= 2 ** 32:
        raise argparse.ArgumentTypeError(f"must be below 2^32, got {value}")
    return value


def positive_float(text: str) -> float:
    value = _number(text, float, "a number > 0")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value:g}")
    return value


def non_negative_float(text: str) -> float:
    value = _number(text, float, "a number >= 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value:g}")
    return value


def fraction(text: str) -> float:
    """0 <= value < 1 (label smoothing: 1 would make every target uniform)."""
    value = _number(text, float, "a number in [0, 1)")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {value:g}")
    return value


def probability(text: str) -> float:
    value = _number(text, float, "a number in [0, 1]")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {value:g}")
    return value


def image_side(text: str) -> int:
    """0 (each image's own size) or a multiple of 16 up to ``core.limits.IMAGE_SIDE``."""
    from core import limits

    value = non_negative_int(text)
    if value % SIZE_MULTIPLE:
        raise argparse.ArgumentTypeError(f"must be a multiple of {SIZE_MULTIPLE} (or 0 for the "
                                         f"images' own size), got {value}")
    if value > limits.IMAGE_SIDE.value():
        raise argparse.ArgumentTypeError(f"{value} is above the limit of {limits.IMAGE_SIDE.value()} "
                                         f"({limits.IMAGE_SIDE.hint()})")
    return value


def output_folder(text: str) -> str:
    """A folder to write into: refused when the path is an existing file."""
    if os.path.exists(text) and not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    return text


def output_file(text: str) -> str:
    """A file to write: refused when the path is an existing folder."""
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text} is a folder; name the file to write")
    return text

