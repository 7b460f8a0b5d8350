"""``labels export``: a dataset's masks in another label format, the user's masks winning.

    python main.py labels export --data D --format coco|voc|yolo-seg|labelme|carvana-csv --out O

Masks the user drew (``--mask-overrides``, default the dataset's own
``.annotations/masks`` when it exists) replace the dataset's, as in training.
The output folder appears whole or not at all; an existing non-empty folder is
refused, never overwritten. Prints a JSON summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.cli.common import print_json
from core.labels.export import EXPORT_FORMATS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="write the dataset's masks in a label format",
                                description="write the dataset's masks in a label format")
    export.add_argument("--data", metavar="PATH", help="dataset folder; omitted = demo cars")
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    export.add_argument("--out", required=True, metavar="DIR", help="new (or empty) output folder")
    overrides = export.add_mutually_exclusive_group()
    overrides.add_argument("--mask-overrides", metavar="FOLDER",
                           help="user-corrected masks that win (default: DATA/.annotations/masks if present)")
    overrides.add_argument("--no-user-masks", action="store_true", help="export the dataset's own masks only")
    export.add_argument("--seed", type=int, default=0, help="split seed (as in training)")


def run(args: argparse.Namespace) -> int:
    from core.data import open_dataset
    from core.labels.export import export_labels

    dataset = open_dataset(args.data, None if args.data else "carvana", seed=args.seed)
    masks_folder = _masks_folder(args, dataset)
    if masks_folder is not None and dataset.kind == "segmentation":
        from core.annotation.overrides import with_mask_overrides

        dataset = with_mask_overrides(dataset, masks_folder)
    summary = export_labels(dataset, args.format, args.out)
    print_json(summary)
    return 0


def _masks_folder(args: argparse.Namespace, dataset) -> Path | None:
    if args.no_user_masks:
        return None
    if args.mask_overrides:
        return Path(args.mask_overrides)
    from core.annotation.storage import default_masks_dir

    default = default_masks_dir(dataset)
    return default if dataset.root and default.is_dir() else None
