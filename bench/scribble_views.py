"""Live assist on the other views of each car: Dice across all Carvana cars, per setting.

For every car, the views in ``--views`` (default: view 01 only) are scribbled in
turn by bench/scribble_simulation.py (fixed seed; a stroke inside, one outside,
then strokes where the overlay the user sees is most wrong, at most
``--coverage`` of each view's pixels). The forest learns only from those
strokes. It then predicts every view of the car that the protocol never
scribbles, after each scribbled view (the curve vs the number of scribbled
views). Reported per setting (``--variant``): Dice on the scribbled views, Dice
on the other views as the median over cars of each car's median (quartiles,
min, max) and pooled over all views, and the CPU seconds of an update.

    .venv/bin/python bench/scribble_views.py [--cars 32] [--views 1 5] [--variant default grabcut]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402

from bench.scribble_simulation import draw_stroke, next_stroke  # noqa: E402
from core.assist.assistant import AssistSettings, ScribbleAssistant  # noqa: E402
from core.assist.feature_cache import FeatureCache  # noqa: E402
from core.data.decode import decode_image, decode_mask  # noqa: E402
from core.ranking import dice  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "carvana"
VIEWS = range(1, 17)
CACHE_BYTES = 3 * 1024 ** 3  # one car's 16 views for two feature settings


def variants() -> dict[str, AssistSettings]:
    """Named settings to compare; 'default' is what the GUI uses."""
    base = AssistSettings()
    features, forest = base.features, base.forest
    return {
        "default": base,
        "previous": replace(base, grabcut_iterations=0, largest_without_strokes=False),  # the first release
        "untidied": replace(base, tidy=False),
        "all-blobs": replace(base, largest_without_strokes=False),  # unscribbled views keep every blob
        "no-grabcut": replace(base, grabcut_iterations=0),
        "grabcut-full": replace(base, grabcut_max_pixels=None),  # GrabCut on the whole working grid
        "grabcut-40k": replace(base, grabcut_max_pixels=40_000),
        "lab": replace(base, features=replace(features, colour="lab")),
        "chroma": replace(base, features=replace(features, colour="rgb+chroma")),
        "sigma20": replace(base, features=replace(features, sigmas=features.sigmas + (20.0,))),
        "leaf5": replace(base, forest=replace(forest, min_samples_leaf=5)),
        "trees32": replace(base, forest=replace(forest, trees=32)),
    }


def car_ids(data: Path) -> list[str]:
    return sorted(p.name.rsplit("_", 1)[0] for p in (data / "train").glob("*_01.jpg"))


def load_car(data: Path, car: str, views) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    return {view: (decode_image(data / "train" / f"{car}_{view:02d}.jpg"),
                   decode_mask(data / "train_masks" / f"{car}_{view:02d}_mask.gif") > 0) for view in views}


def scribble_view(assistant, item_id, image, truth, coverage, seed) -> tuple[list[float], list[float]]:
    """Simulated strokes on one view until the budget is spent: (Dice seen after each stroke, update CPU s)."""
    rng = np.random.default_rng(seed)
    scribbles = np.zeros(truth.shape, np.uint8)
    probability = assistant.predict(item_id, image)  # strokes on a later view correct what it shows
    scores, seconds = [], []
    while (stroke := next_stroke(truth, scribbles, probability, rng)) is not None:
        candidate = scribbles.copy()
        draw_stroke(candidate, *stroke)
        if np.mean(candidate > 0) > coverage:
            break
        scribbles = candidate
        cpu = time.process_time()
        result = assistant.update(item_id, image, scribbles)
        seconds.append(time.process_time() - cpu)
        probability = result if result is not None else probability
        scores.append(dice(probability, truth) if probability is not None else float("nan"))
    return scores, seconds


def run_car(views, settings, cache, car, scribbled, held_out, coverage, seed):
    """([Dice after each stroke] per scribbled view, [Dice of the held-out views after each scribbled view],
    strokes, CPU s)."""
    assistant = ScribbleAssistant(settings, cache=cache)
    seen, curve, strokes, seconds = [], [], 0, []
    for view in scribbled:
        image, truth = views[view]
        scores, cpu = scribble_view(assistant, f"{car}_{view}", image, truth, coverage, seed + view)
        seen.append(scores)
        strokes += len(scores)
        seconds += cpu
        curve.append([dice(assistant.predict(f"{car}_{v}", views[v][0]), views[v][1]) for v in held_out])
    return seen, curve, strokes, seconds


def spread(values) -> str:
    v = np.asarray(values, float)
    q1, median, q3 = np.percentile(v, [25, 50, 75])
    return f"{median:.3f} [{q1:.3f}-{q3:.3f}] ({v.min():.3f}-{v.max():.3f})"


def report(name, results, scribbled, held_out) -> None:
    seen = [r[0][-1][-1] for r in results]
    print(f"\n{name}: {len(results)} cars, scribbled views {scribbled}, {len(held_out)} held-out views, strokes per car median "
          f"{np.median([r[2] for r in results]):.0f}, update CPU s median "
          f"{np.median(np.concatenate([r[3] for r in results])):.3f}")
    print(f"  Dice on the last scribbled view, per car: median [quartiles] (min-max) {spread(seen)}")
    for view, number in zip(scribbled, range(len(scribbled))):
        curves = [r[0][number] for r in results]
        longest = max(len(c) for c in curves)
        padded = np.array([c + [c[-1]] * (longest - len(c)) for c in curves])  # a car out of budget stays
        print(f"  view {view:02d}, Dice vs strokes (median over cars, min): " + " ".join(
            f"{k + 1}:{np.nanmedian(padded[:, k]):.2f}/{np.nanmin(padded[:, k]):.2f}" for k in range(1, longest)))
    for stage in range(len(scribbled)):
        per_car = [np.median(r[1][stage]) for r in results]
        pooled = np.concatenate([r[1][stage] for r in results])
        print(f"  other views after {stage + 1} scribbled: per-car median {spread(per_car)}; pooled "
              f"{len(pooled)} views median {np.median(pooled):.3f}, 10th pct {np.percentile(pooled, 10):.3f}, "
              f">= 0.85: {np.mean(pooled >= 0.85):.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cars", type=int, default=32, help="how many cars, spread evenly over the folder")
    parser.add_argument("--views", type=int, nargs="+", default=[1], help="views scribbled, in order")
    parser.add_argument("--held-out", type=int, nargs="+", default=None,
                        help="views to predict (default: every view not scribbled)")
    parser.add_argument("--coverage", type=float, default=0.01, help="most scribbled fraction of a view's pixels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variant", nargs="+", default=["default"], choices=sorted(variants()))
    args = parser.parse_args()
    if not (args.data / "train").is_dir():
        print(f"skipped: no Carvana data at {args.data}")
        return
    cv2.setNumThreads(2)
    cars = car_ids(args.data)
    cars = [cars[i] for i in np.linspace(0, len(cars) - 1, min(args.cars, len(cars))).round().astype(int)]
    held_out = args.held_out or [v for v in VIEWS if v not in args.views]
    settings = {name: variants()[name] for name in args.variant}
    results = {name: [] for name in settings}
    started = time.perf_counter()
    for number, car in enumerate(cars, 1):
        views = load_car(args.data, car, sorted(set(args.views) | set(held_out)))
        cache = FeatureCache(CACHE_BYTES)
        line = []
        for name, setting in settings.items():
            result = run_car(views, setting, cache, car, args.views, held_out, args.coverage, args.seed)
            results[name].append(result)
            line.append(f"{name} " + " -> ".join(f"{np.median(stage):.3f}" for stage in result[1]))
        print(f"[{number}/{len(cars)} {time.perf_counter() - started:.0f} s] car {car}: other views median "
              + ", ".join(line), flush=True)
    for name in settings:
        report(name, results[name], args.views, held_out)


if __name__ == "__main__":
    main()
