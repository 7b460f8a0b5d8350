"""Live assist from scribbles on real Carvana photos (1918x1280): latency, Dice, scale.

One car: its first view is scribbled by bench/scribble_simulation.py (first a
stroke inside the car, one outside, then each stroke where the prediction is
most wrong, fixed seed), while the scribbles cover at most ``--coverage`` of
the pixels. After each stroke the core ScribbleAssistant updates exactly as the
GUI's worker does (store the strokes, retrain, predict the image, GrabCut,
tidy, upsample),
timed from stroke end to the finished probability. Reported:

- update latency (wall and CPU seconds): the first stroke (features computed,
  one class only), the first overlay, the later ones; and the same final update
  with its features computed (the reference) and cached, as a ratio;
- Dice vs strokes on the scribbled view, and with the final strokes on the
  car's 15 other views (median, min, max);
- the working scale: Dice of predictions made at several working sizes (sigmas
  scaled to cover the same image area), against the truth and against the
  full-scale (1918x1280) prediction: what computing at a reduced scale loses.

    .venv/bin/python bench/scribble_assist.py [--data ../shared/data/carvana] [--car ID]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402

from bench.scribble_simulation import draw_stroke, next_stroke  # noqa: E402
from core.assist.assistant import AssistSettings, ScribbleAssistant, working_size  # noqa: E402
from core.assist.features import FeatureSettings  # noqa: E402
from core.assist.forest import ForestSettings  # noqa: E402
from core.data.decode import decode_image, decode_mask  # noqa: E402
from core.ranking import dice  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "carvana"
THREADS = 2


def load_view(data: Path, car: str, view: int) -> tuple[np.ndarray, np.ndarray]:
    image = decode_image(data / "train" / f"{car}_{view:02d}.jpg")
    truth = decode_mask(data / "train_masks" / f"{car}_{view:02d}_mask.gif") > 0
    return image, truth


def scribble_run(assistant, image, truth, coverage: float, seed: int):
    """Strokes until the coverage budget is spent: rows of (strokes, coverage, seconds, CPU seconds,
    Dice, untidied Dice), the scribble map and the strokes as (points, value)."""
    rng = np.random.default_rng(seed)
    scribbles = np.zeros(truth.shape, np.uint8)
    probability, rows, strokes = None, [], []
    while True:
        stroke = next_stroke(truth, scribbles, probability, rng)
        if stroke is None:
            break
        candidate = scribbles.copy()
        draw_stroke(candidate, *stroke)
        if np.mean(candidate > 0) > coverage:
            break
        scribbles = candidate
        strokes.append(stroke)
        started, cpu = time.perf_counter(), time.process_time()
        result = assistant.update("scribbled", image, scribbles)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if result is None:
            rows.append((len(rows) + 1, float(np.mean(scribbles > 0)), seconds, cpu, float("nan"), float("nan")))
            continue
        probability = result
        raw = assistant.predict("scribbled", image, tidy=False)
        rows.append((len(rows) + 1, float(np.mean(scribbles > 0)), seconds, cpu,
                     dice(probability, truth), dice(raw, truth)))
    return rows, scribbles, strokes


def cold_and_cached(assistant, image, scribbles, repeats: int = 3):
    """(wall, CPU) seconds of the same update with its features computed, then cached (median)."""
    def timed():
        started, cpu = time.perf_counter(), time.process_time()
        assistant.update("scribbled", image, scribbles)
        return time.perf_counter() - started, time.process_time() - cpu

    assistant.cache.clear()
    cold = timed()
    cached = [timed() for _ in range(repeats)]
    return cold, (float(np.median([c[0] for c in cached])), float(np.median([c[1] for c in cached])))


def scale_rows(image, truth, scribbles, sizes: list[int], default: AssistSettings):
    """Per working size: (max_pixels, size, wall and CPU seconds to train+predict, Dice vs truth,
    Dice vs the full-scale prediction).

    Sigmas are scaled with the working size so that every row sees the same image
    area around a pixel as the default: rows differ only in how finely they sample
    it, which is what a reduced scale can lose (edges). Untidied probabilities.
    """
    reference = working_size(image.shape, default.max_pixels)[0] / image.shape[0]
    results, full = [], None
    for max_pixels in sorted(sizes, reverse=True):
        factor = working_size(image.shape, max_pixels)[0] / image.shape[0]
        sigmas = tuple(round(s * factor / reference, 3) for s in default.features.sigmas)
        settings = replace(default, max_pixels=max_pixels, features=FeatureSettings(sigmas))
        assistant = ScribbleAssistant(settings)
        assistant.set_scribbles("scribbled", image, scribbles)  # computes features (not timed)
        started, cpu = time.perf_counter(), time.process_time()
        assistant.train()
        probability = assistant.predict("scribbled", image, tidy=False)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if full is None:
            full = probability >= 0.5
        results.append((max_pixels, working_size(image.shape, max_pixels), seconds, cpu,
                        dice(probability, truth), dice(probability, full)))
        assistant.cache.clear()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--car", default=None, help="car id (default: the first in the folder)")
    parser.add_argument("--coverage", type=float, default=0.01, help="most scribbled fraction of pixels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--trees", type=int, default=ForestSettings().trees, help="trees in the forest")
    parser.add_argument("--strokes-only", action="store_true", help="only the stroke curve and latency")
    parser.add_argument("--skip-scales", action="store_true", help="skip the full-scale comparison (slow)")
    args = parser.parse_args()
    if not (args.data / "train").is_dir():
        print(f"skipped: no Carvana data at {args.data}")
        return
    cv2.setNumThreads(THREADS)
    car = args.car or sorted(p.name.rsplit("_", 1)[0] for p in (args.data / "train").glob("*_01.jpg"))[0]
    image, truth = load_view(args.data, car, 1)
    print(f"car {car}, view 01, {image.shape[1]}x{image.shape[0]}, {os.cpu_count()} cores, "
          f"OpenCV and forest on {THREADS} threads")

    settings = replace(AssistSettings(), forest=replace(ForestSettings(), trees=args.trees))
    assistant = ScribbleAssistant(settings)
    rows, scribbles, _ = scribble_run(assistant, image, truth, args.coverage, args.seed)
    print(f"\n{'strokes':>7s} {'coverage':>9s} {'update s':>9s} {'CPU s':>7s} {'Dice':>7s} {'untidied':>9s}")
    for strokes, covered, seconds, cpu, score, raw in rows:
        print(f"{strokes:7d} {covered:9.3%} {seconds:9.3f} {cpu:7.3f} {score:7.4f} {raw:9.4f}")
    trained = [r for r in rows if not np.isnan(r[4])]
    later = np.array([r[2] for r in trained[1:]])
    later_cpu = np.array([r[3] for r in trained[1:]])
    print(f"\nupdate latency (goal <= 0.5 s): first stroke {rows[0][2]:.3f} s (CPU {rows[0][3]:.3f}; features, "
          f"one class: no forest yet); first overlay {trained[0][2]:.3f} s (CPU {trained[0][3]:.3f}); later median "
          f"{np.median(later):.3f} s (min {later.min():.3f}, max {later.max():.3f}, n={len(later)}), "
          f"CPU median {np.median(later_cpu):.3f} s (max {later_cpu.max():.3f})")
    cold, cached = cold_and_cached(assistant, image, scribbles)
    print(f"same update, features computed (reference) {cold[0]:.3f} s (CPU {cold[1]:.3f}); features cached "
          f"{cached[0]:.3f} s (CPU {cached[1]:.3f}); cached/computed ratio {cached[0] / cold[0]:.2f} "
          f"(CPU {cached[1] / cold[1]:.2f})")
    print(f"Dice on the scribbled view (goal >= 0.90): {rows[-1][4]:.4f} tidied, {rows[-1][5]:.4f} untidied, "
          f"with {rows[-1][0]} strokes covering {rows[-1][1]:.2%} of the pixels")

    if args.strokes_only:
        return
    scores = []
    for view in range(2, 17):
        other, other_truth = load_view(args.data, car, view)
        started = time.perf_counter()
        probability = assistant.predict(f"view{view}", other)
        seconds = time.perf_counter() - started
        raw = assistant.predict(f"view{view}", other, tidy=False)
        scores.append((view, dice(probability, other_truth), dice(raw, other_truth), seconds))
        assistant.forget(f"view{view}")
    for column, name in ((1, "holes filled"), (2, "untidied")):
        values = np.array([s[column] for s in scores])
        print(f"Dice on the 15 other views, {name} (goal >= 0.85): median {np.median(values):.4f} "
              f"(min {values.min():.4f}, max {values.max():.4f}); per view: "
              + " ".join(f"{s[0]:02d}:{s[column]:.3f}" for s in scores))

    if not args.skip_scales:
        full_pixels = image.shape[0] * image.shape[1]
        print(f"\n{'max pixels':>10s} {'working size':>13s} {'train+predict s':>16s} {'CPU s':>7s} "
              f"{'Dice truth':>11s} {'Dice vs full':>13s}   (same image area per sigma, untidied)")
        for max_pixels, size, seconds, cpu, score, agreement in scale_rows(
                image, truth, scribbles, [full_pixels, 600_000, 300_000, 160_000, 80_000], settings):
            print(f"{max_pixels:10d} {size[1]:>6d}x{size[0]:<6d} {seconds:16.3f} {cpu:7.3f} {score:11.4f} "
                  f"{agreement:13.4f}")


if __name__ == "__main__":
    main()
