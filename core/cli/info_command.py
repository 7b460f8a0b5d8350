"""``python main.py info [--task T] [--data PATH]``: describe a dataset as one JSON object."""

from __future__ import annotations

import argparse

from core.cli.common import add_data_arguments, print_json, seed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_arguments(parser)
    parser.add_argument("--seed", type=seed, default=0, help="seed of the train/val/test split")


def run(args: argparse.Namespace) -> int:
    from core.data import open_dataset
    from core.data.describe import describe

    print_json(describe(open_dataset(args.data, args.task, seed=args.seed)))
    return 0
