"""Argument helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from core.runs.config import ENGINES, TASKS


def add_data_arguments(parser: argparse.ArgumentParser, *, task_required: bool = False) -> None:
    parser.add_argument("--task", choices=TASKS, required=task_required,
                        help="force the task/format instead of detecting it")
    parser.add_argument("--data", metavar="PATH",
                        help="dataset folder or file; omitted = built-in demo data")


def add_engine_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=ENGINES, default=None,
                        help="numpy (MNIST, from scratch) or torch; default depends on the task")


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")
