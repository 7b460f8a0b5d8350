"""``eval``: a run's model on a dataset split -> one JSON object of metrics.

Works for torch and NumPy runs alike (through the Predictor), on the data the
run was trained on or any other ``--data``. Masks are scored at each image's
own size, against the original mask (as Kaggle scores Carvana), and again at
the model's working size under ``at_working_size``.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from core.cli.common import positive_int, print_json
from core.errors import DataError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", required=True, metavar="RUN_DIR")
    parser.add_argument("--data", metavar="PATH", help="dataset (default: the run's own data)")
    parser.add_argument("--split", default="test", choices=("train", "val", "test"))
    parser.add_argument("--weights", default="best", choices=("best", "model"),
                        help="best validation epoch (default) or the latest weights")
    parser.add_argument("--limit", type=positive_int, help="score at most N items")
    parser.add_argument("--tta", action="store_true", help="average with flipped images")
    parser.add_argument("--batch-size", type=positive_int, default=64)


def run(args: argparse.Namespace) -> int:
    from core.runs.run_dir import RunDir, json_safe

    run = RunDir.open(args.run)
    config = run.read_config()
    predictor = load_predictor(args.run, args.weights)
    dataset = run.dataset(args.data)
    metrics = evaluate_predictor(predictor, dataset, args.split, limit=args.limit, tta=args.tta,
                                 batch_size=args.batch_size)
    print_json(json_safe({"run": str(args.run), "data": args.data or config.get("data") or "demo",
                          "split": args.split, "weights": args.weights, **metrics}))
    return 0


def load_predictor(run_dir: str, weights: str):
    """best.pt/best.npz when it exists (else the latest weights)."""
    from core.inference import Predictor
    from core.runs.run_dir import RunDir

    if weights == "best" and not RunDir.open(run_dir).has_weights("best"):
        weights = "model"
    return Predictor.from_run(run_dir, weights=weights)


def evaluate_predictor(predictor, dataset, split: str, *, limit: int | None = None,
                       tta: bool = False, batch_size: int = 64) -> dict[str, Any]:
    """The task's metrics for ``predictor`` on ``split`` of ``dataset``."""
    from core.data.base import split_view
    from core.training.metrics import ClassificationMeter, SegmentationMeter

    if split not in dataset.splits or len(dataset.splits[split]) == 0:
        raise DataError(dataset.root, f"the dataset has no {split!r} items")
    if dataset.kind != predictor.kind:
        raise DataError(dataset.root, f"the data is {dataset.kind} but the run's model does "
                                      f"{predictor.kind}")
    view = split_view(dataset, split)
    count = len(view) if limit is None else min(limit, len(view))
    if predictor.kind == "classification":
        meter = ClassificationMeter(len(predictor.class_names))
        for start in range(0, count, batch_size):
            samples = [view[i] for i in range(start, min(start + batch_size, count))]
            probabilities = predictor.predict_batch([s.image for s in samples], tta=tta)
            meter.update(np.stack(probabilities), np.array([s.target for s in samples]))
    else:
        meter = SegmentationMeter()
        working, scored = None if predictor.preprocess.size is None else SegmentationMeter(), 0
        for index in range(count):
            sample = view[index]
            probability = predictor.predict(sample.image, tta=tta)
            meter.update(_as_logits(probability), np.asarray(sample.target)[None])
            if working is not None:
                scored += _score_at_working_size(working, predictor, sample, tta)
        if scored:  # the same masks at the size the model sees
            return {"items": count, **meter.compute(),
                    "working_size": list(predictor.preprocess.size), "at_working_size": working.compute()}
    return {"items": count, **meter.compute()}


def _score_at_working_size(meter, predictor, sample, tta: bool) -> int:
    """The model's own output against the mask reduced to the working size (nearest):
    what the training's validation Dice measures, beside the full-resolution score."""
    from core.data.decode import resize_nearest

    preprocess = predictor.preprocess
    reduced = preprocess.resize(preprocess.to_channels(np.asarray(sample.image)))  # as the model sees it
    probability = predictor.predict(reduced, tta=tta)  # at the working size: nothing resized back
    if probability.ndim != 2:  # binary masks only
        return 0
    target = resize_nearest(np.asarray(sample.target, np.uint8), preprocess.size)
    meter.update(_as_logits(probability), target[None])
    return 1


def _as_logits(probability: np.ndarray) -> np.ndarray:
    """(H, W) probabilities -> (1, 1, H, W) logits, the meter's input."""
    p = np.clip(probability.astype(np.float64), 1e-7, 1 - 1e-7)
    return (np.log(p) - np.log1p(-p))[None, None]
