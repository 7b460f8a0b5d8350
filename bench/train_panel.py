"""Live training curves: what the UI thread pays per batch, and for a long run's redraw.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/train_panel.py [--batches 600]

References measured in the same run:
- per batch: the naive way (setData and a repaint at every batch) against ours
  (append to a growing array; setData + repaint at ~10 Hz, here every 20th batch
  for a trainer emitting 200 batches/s);
- one repaint of a long run's curve: pyqtgraph downsampling + clip-to-view off
  against on (the panel's setting), at 1k to 200k points;
- one repaint of the empty plots: grid at every tick level (pyqtgraph's default)
  against major + first minor level only (the panel's style).
Times are CPU seconds of this process (time.process_time), so other programs
on a shared machine do not inflate them; a render is QWidget.grab() because
offscreen repaint() may skip painting.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path[0] = str(Path(__file__).resolve().parents[1])  # bench/gui.py must not shadow gui/

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

BATCHES_PER_SECOND = 200
REDRAWS_PER_SECOND = 10


def make_curves(history: int):
    from gui.train.curves import TrainingCurves

    curves = TrainingCurves()
    curves._redraw_timer.stop()  # the benchmark drives redraws itself
    curves.resize(900, 600)
    curves.show()
    losses = 2.0 * np.exp(-np.arange(history) / 3000.0) + 0.1 * np.random.default_rng(0).random(history)
    for index, loss in enumerate(losses):
        curves.add_batch(index / 100.0, float(loss))
    curves.flush()
    curves.grab()  # a real render of the scene (offscreen repaint() may skip painting)
    return curves, history


def feed(curves, start: int, batches: int, redraw_every: int) -> float:
    """Seconds of UI-thread time to take ``batches`` batch events."""
    started = time.process_time()
    for index in range(start, start + batches):
        curves.add_batch(index / 100.0, 0.5)
        if (index - start + 1) % redraw_every == 0:
            curves.flush()
            curves.grab()  # a real render of the scene (offscreen repaint() may skip painting)
    return time.process_time() - started


def per_batch_rows(batches: int) -> list[tuple]:
    rows = []
    for history in (1_000, 20_000):
        curves, start = make_curves(history)
        naive = feed(curves, start, batches, 1)
        ours = feed(curves, start + batches, batches, BATCHES_PER_SECOND // REDRAWS_PER_SECOND)
        rows.append((f"{history:,} points so far", naive / batches * 1e3, ours / batches * 1e3,
                     naive / ours))
        curves.close()
    return rows


def repaint_seconds(curves, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        curves.loss_plot.vb.update()
        started = time.process_time()
        curves.grab()  # a real render of the scene (offscreen repaint() may skip painting)
        times.append(time.process_time() - started)
    return float(np.median(times))


def repaint_rows() -> list[tuple]:
    rows = []
    for history in (1_000, 20_000, 200_000):
        curves, _ = make_curves(history)
        curves.loss_plot.setXRange(history / 100.0 * 0.8, history / 100.0)  # the user zoomed in
        with_options = repaint_seconds(curves)
        curves.loss_plot.setDownsampling(auto=False, ds=1)
        curves.loss_plot.setClipToView(False)
        without = repaint_seconds(curves)
        rows.append((f"{history:,} points", without * 1e3, with_options * 1e3, without / with_options))
        curves.close()
    return rows


def grid_rows() -> list[tuple]:
    from gui.train.curves import TrainingCurves

    curves = TrainingCurves()
    curves.resize(900, 600)
    curves.show()
    ours = repaint_seconds(curves, repeats=10)
    for plot in (curves.loss_plot, curves.metric_plot):
        for side in ("left", "bottom"):
            plot.getAxis(side).setStyle(maxTickLevel=2)
    every_level = repaint_seconds(curves, repeats=10)
    curves.close()
    return [("2 empty plots", every_level * 1e3, ours * 1e3, every_level / ours)]


def print_table(title: str, header: tuple, rows: list[tuple]) -> None:
    print(f"\n{title}")
    print(f"{header[0]:<22} {header[1]:>16} {header[2]:>16} {header[3]:>8}")
    for name, reference, ours, ratio in rows:
        print(f"{name:<22} {reference:>16.3f} {ours:>16.3f} {ratio:>7.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=600)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])  # noqa: F841 - keeps Qt alive
    print_table("UI-thread ms per batch event (200 batches/s trainer)",
                ("history", "naive ms/batch", "ours ms/batch", "ratio"), per_batch_rows(args.batches))
    print_table("One repaint of the loss plot, zoomed to the last 20%",
                ("curve length", "plain ms", "ds+clip ms", "ratio"), repaint_rows())
    print_table("One repaint of the empty Train panel plots",
                ("widget", "all levels ms", "ours ms", "ratio"), grid_rows())


if __name__ == "__main__":
    main()
