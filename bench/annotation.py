"""How long a brush dab takes to reach the screen, on 1000^2 to 8000^2 images.

Drives the real MaskEditor offscreen: each dab goes through the core document
(history, crash journal with fsync), recolours the dab's rectangle of the
overlay buffer and is painted by Qt (the paint is awaited with processEvents
and checked through the layer's paint counter). The reference, measured in
the same run, is a full overlay refresh per dab (recolour the whole label
buffer and repaint the whole layer), which is what updating the overlay as a
whole image would cost. Goal: a dab in <= 16 ms at 8000x8000.

A second table runs the tools on real Carvana photos (1918x1280; skipped with
one line when ../shared/data/carvana is absent): brush drag, polygon, wand,
undo of a whole-car step, each against the full-refresh reference, and GrabCut
at several working sizes against the full-resolution cut (time, Dice with the
full-resolution result, IoU with the true mask), which is what chose the
working-size rule in core/annotation/grabcut.py.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/annotation.py [--sizes 1000 4000 8000] [--dabs 60]
        [--carvana ../shared/data/carvana] [--cars 3] [--grabcut-cars 3]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.annotation import grabcut  # noqa: E402
from gui.annotation.editor import MaskEditor  # noqa: E402

BRUSH = 40
CARVANA = Path(__file__).resolve().parents[2] / "shared" / "data" / "carvana"
# (working pixels, iterations); None = full resolution. The first row is the reference.
GRABCUT_SETTINGS = ((None, 4), (250_000, 4), (250_000, 2), (120_000, 4), (120_000, 2), (60_000, 4))


def synthetic_photo(size: int) -> np.ndarray:
    """A smooth colour gradient with a darker 'object', built without a per-pixel Python loop."""
    ramp = np.linspace(40, 220, size, dtype=np.float32)
    image = np.empty((size, size, 3), np.uint8)
    image[..., 0] = ramp[None, :].astype(np.uint8)
    image[..., 1] = ramp[:, None].astype(np.uint8)
    image[..., 2] = 120
    quarter = size // 4
    image[quarter:3 * quarter, quarter:3 * quarter] //= 2
    return image


def painted(app: QApplication, layer) -> None:
    """Let Qt deliver the pending update and paint it; fail loudly if nothing was painted."""
    before = layer.paint_count
    app.processEvents()
    if layer.paint_count == before:
        raise RuntimeError("the overlay was not repainted")


def percentile_ms(samples: list[float], q: float) -> float:
    return float(np.percentile(np.array(samples) * 1000, q))


def measure(app: QApplication, editor: MaskEditor, size: int, dabs: int, zoom: str) -> dict[str, float]:
    canvas = editor.canvas
    canvas.fit()
    if zoom == "1:1":
        canvas.resetTransform()
        canvas._fitted = False
        canvas.centerOn(size / 2, size / 2)
    app.processEvents()
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect().intersected(canvas.sceneRect())
    step = 12 / canvas.transform().m11()  # about 12 screen pixels between mouse events
    left_x, span = visible.left() + 0.2 * visible.width(), 0.6 * visible.width()
    top_y = visible.top() + 0.3 * visible.height()
    path = [(left_x + (step * k) % span, top_y + 7 * (k % 13)) for k in range(dabs + 3)]
    viewport = canvas.viewport()
    at = lambda x, y: canvas.mapFromScene(QPointF(x + 0.5, y + 0.5))  # noqa: E731
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    click, commit, drag, full = [], [], [], []
    layer = canvas.label_layer
    for k, (x, y) in enumerate(path):  # a click: the dab shows on press; release commits the stroke
        modifier = Qt.KeyboardModifier.ShiftModifier if k % 2 else none  # alternate paint and erase
        start = time.perf_counter()
        QTest.mousePress(viewport, left, modifier, at(x, y))
        painted(app, layer)
        shown = time.perf_counter()
        QTest.mouseRelease(viewport, left, modifier, at(x, y))  # one undo step + journal record (fsync)
        app.processEvents()
        if k >= 3:
            click.append(shown - start)
            commit.append(time.perf_counter() - shown)
    drag_path = [(x, y + 0.3 * visible.height()) for x, y in path]
    QTest.mousePress(viewport, left, none, at(*drag_path[0]))
    for k, (x, y) in enumerate(drag_path[1:]):  # a drag: one segment per mouse move
        start = time.perf_counter()
        QTest.mouseMove(viewport, at(x, y + (k % 2)))
        painted(app, layer)
        if k >= 3:
            drag.append(time.perf_counter() - start)
    QTest.mouseRelease(viewport, left, none, at(*drag_path[-1]))
    for _ in range(max(3, dabs // 10)):  # reference: refresh the whole overlay for each dab
        start = time.perf_counter()
        layer.update_region(None)
        painted(app, layer)
        full.append(time.perf_counter() - start)
    return {"click": percentile_ms(click, 50), "click95": percentile_ms(click, 95),
            "commit": percentile_ms(commit, 50),
            "drag": percentile_ms(drag, 50), "drag95": percentile_ms(drag, 95), "full": percentile_ms(full, 50)}


def carvana_pairs(folder: Path, cars: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(id, RGB photo, 0/1 mask) for view 01 of the first ``cars`` cars."""
    import cv2
    from PIL import Image

    pairs = []
    for path in sorted((folder / "train").glob("*_01.jpg"))[:cars]:
        mask_path = folder / "train_masks" / f"{path.stem}_mask.gif"
        if mask_path.exists():
            image = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
            pairs.append((path.stem, image, (np.asarray(Image.open(mask_path)) > 0).astype(np.uint8)))
    return pairs


def timed(app: QApplication, layer, action) -> tuple[float, float]:
    """(wall ms, UI-thread CPU ms) from ``action()`` until the overlay is painted."""
    start, cpu = time.perf_counter(), time.thread_time()
    action()
    painted(app, layer)
    return (time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000


def overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(Dice, IoU) of two bool masks."""
    inter, union = float((a & b).sum()), float((a | b).sum())
    return 2 * inter / max(1.0, a.sum() + b.sum()), inter / max(1.0, union)


def measure_tools(app: QApplication, editor: MaskEditor, item: str, image: np.ndarray, truth: np.ndarray) -> dict:
    import cv2

    editor.set_item(item, image, None, None)
    canvas, layer = editor.canvas, editor.canvas.label_layer
    canvas.fit()
    app.processEvents()
    row = measure(app, editor, max(image.shape), 40, "fit")
    contours, _ = cv2.findContours(truth, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = cv2.approxPolyDP(max(contours, key=cv2.contourArea), 4, True)[:, 0, :]
    polygon_tool = canvas.tools["polygon"]
    editor.set_tool("polygon")
    polygon_tool.points = [(float(x), float(y)) for x, y in outline]
    row["polygon"], row["polygon_cpu"] = timed(app, layer, polygon_tool.finish)
    row["undo"], row["undo_cpu"] = timed(app, layer, editor.undo)  # a whole-car step
    editor.set_tool("wand")
    ys, xs = np.nonzero(truth)
    centre = canvas.mapFromScene(QPointF(float(np.median(xs)) + 0.5, float(np.median(ys)) + 0.5))
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier

    def click() -> None:
        QTest.mousePress(canvas.viewport(), left, none, centre)
        QTest.mouseRelease(canvas.viewport(), left, none, centre)

    row["wand"], row["wand_cpu"] = timed(app, layer, click)
    row["vertices"] = len(outline)
    editor.set_tool("brush")
    return row


def measure_grabcut(image: np.ndarray, truth: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Per GrabCut setting: (wall s, CPU s, Dice vs the full-resolution cut, IoU vs the true mask).

    CPU seconds (this thread) do not grow with other processes' load, wall seconds do.
    """
    ys, xs = np.nonzero(truth)
    margin = 10
    box = ((float(xs.min() - margin), float(ys.min() - margin)), (float(xs.max() + margin), float(ys.max() + margin)))
    results, full = [], None
    for size, iterations in GRABCUT_SETTINGS:
        start, cpu = time.perf_counter(), time.thread_time()
        selection = grabcut(image, box, iterations=iterations, max_pixels=size or image.shape[0] * image.shape[1] * 4)
        seconds, cpu_seconds = time.perf_counter() - start, time.thread_time() - cpu
        chosen = selection.full(image.shape[:2]) if selection is not None else np.zeros(truth.shape, bool)
        full = chosen if full is None else full
        results.append((seconds, cpu_seconds, overlap(chosen, full)[0], overlap(chosen, truth.astype(bool))[1]))
    return results


def carvana_section(app: QApplication, editor: MaskEditor, folder: Path, cars: int, grabcut_cars: int) -> None:
    pairs = carvana_pairs(folder, cars) if folder.is_dir() else []
    if not pairs:
        print(f"\nreal Carvana: skipped ({folder} has no train/*_01.jpg with train_masks)")
        return
    tool_rows, cut_rows = [], []
    for item, image, truth in pairs:
        tool_rows.append((item, measure_tools(app, editor, item, image, truth)))
        editor.documents.clear()
        if grabcut_cars > 0:
            cut_rows.append(measure_grabcut(image, truth))
            grabcut_cars -= 1
    height, width = pairs[0][1].shape[:2]
    print(f"\nreal Carvana {width}x{height}, {len(pairs)} cars (view 01), editor viewport "
          f"{editor.canvas.viewport().width()}x{editor.canvas.viewport().height()}, fit zoom")
    header = f"{'car':>14} | {'brush drag':>10} {'p95':>6} | {'polygon':>8} {'CPU':>6} | {'wand':>7} {'CPU':>6} |" \
             f" {'undo':>7} {'CPU':>6} | {'full refresh':>12} | {'ratio':>5}"
    print(header)
    print("-" * len(header))
    for item, r in tool_rows:
        slowest = max(r["drag"], r["polygon"], r["wand"], r["undo"])
        print(f"{item[:14]:>14} | {r['drag']:>7.2f} ms {r['drag95']:>6.2f} | {r['polygon']:>5.1f} ms "
              f"{r['polygon_cpu']:>6.1f} | {r['wand']:>4.1f} ms {r['wand_cpu']:>6.1f} | {r['undo']:>4.1f} ms "
              f"{r['undo_cpu']:>6.1f} | {r['full']:>9.1f} ms | {slowest / r['full']:>5.2f}")
    print("brush drag = one mouse move's segment until painted; polygon = closing a traced car outline "
          f"({tool_rows[0][1]['vertices']} vertices) until painted;\nwand = click at the car's centre until "
          "painted; undo = undoing the whole-car polygon step; CPU = UI-thread CPU ms of the same (load does not\n"
          "inflate it; waits such as the journal's fsync are not in it); ratio = slowest wall time / full refresh.")
    print(f"\nGrabCut on the car's box plus 10 px (runs in a worker thread: the UI is not blocked), {len(pairs)} cars")
    header = f"{'working pixels':>14} {'iter':>4} | {'CPU s median':>12} {'(min-max)':>11} | {'wall s':>6} |" \
             f" {'Dice vs full':>12} | {'IoU vs truth':>12} | {'CPU speed-up':>12}"
    print(header)
    print("-" * len(header))
    reference = float(np.median([rows[0][1] for rows in cut_rows]))
    for k, (size, iterations) in enumerate(GRABCUT_SETTINGS):
        cpu = [rows[k][1] for rows in cut_rows]
        wall = float(np.median([rows[k][0] for rows in cut_rows]))
        dice = float(np.median([rows[k][2] for rows in cut_rows]))
        iou = float(np.median([rows[k][3] for rows in cut_rows]))
        label = "full" if size is None else f"{size:,}"
        print(f"{label:>14} {iterations:>4} | {np.median(cpu):>10.2f} s {min(cpu):>5.2f}-{max(cpu):<5.2f} | "
              f"{wall:>6.2f} | {dice:>12.3f} | {iou:>12.3f} | {reference / np.median(cpu):>11.1f}x")
    print("medians over the cars; Dice vs full = agreement with the full-resolution 4-iteration cut (the reference).")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 4000, 8000])
    parser.add_argument("--dabs", type=int, default=60)
    parser.add_argument("--carvana", type=Path, default=CARVANA, help="Kaggle Carvana folder (train/, train_masks/)")
    parser.add_argument("--cars", type=int, default=3)
    parser.add_argument("--grabcut-cars", type=int, default=3, help="cars for the GrabCut table (slow at full size)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CNN_LYTICAL_DATA_DIR"] = folder
        editor = MaskEditor()
        editor.resize(1400, 900)
        editor.show()
        editor.options.size.setValue(BRUSH)
        for size in args.sizes:
            editor.set_item(f"bench_{size}", synthetic_photo(size), None, None)
            for zoom in ("fit", "1:1"):
                rows.append((size, zoom, measure(app, editor, size, args.dabs, zoom)))
            editor.documents.clear()
        viewport = f"{editor.canvas.viewport().width()}x{editor.canvas.viewport().height()}"
        with contextlib.redirect_stdout(io.StringIO()) as real_data:  # printed after the synthetic table
            carvana_section(app, editor, args.carvana, args.cars, args.grabcut_cars)
        editor.journal.close()
        editor.close()
        del editor
        gc.collect()  # free the widgets while QApplication lives (PySide6 can crash freeing them at exit)
    print(f"brush {BRUSH} px, viewport {viewport}, {args.dabs} dabs per row, synthesised mouse events "
          f"(QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']})")
    header = f"{'image':>10} {'view':>5} | {'press median':>12} {'p95':>7} | {'drag median':>11} {'p95':>7} |" \
             f" {'release':>8} | {'full refresh':>12} | {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for size, zoom, r in rows:
        print(f"{size:>5}x{size:<4} {zoom:>5} | {r['click']:>9.2f} ms {r['click95']:>7.2f} | {r['drag']:>8.2f} ms "
              f"{r['drag95']:>7.2f} | {r['commit']:>5.2f} ms | {r['full']:>9.1f} ms | {r['full'] / r['drag']:>5.0f}x")
    print("press = mouse press until the dab is painted; drag = one mouse move's segment until painted;\n"
          "release = ending the stroke (undo step + fsync'd journal record); full refresh = recolour and\n"
          "repaint the whole overlay (the reference); ratio = full refresh / drag (medians). Goal: <= 16 ms.")
    print(real_data.getvalue(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
