"""How long a brush dab takes to reach the screen, on 1000^2 to 8000^2 images.

Drives the real MaskEditor offscreen: each dab goes through the core document
(history, crash journal with fsync), recolours the dab's rectangle of the
overlay buffer and is painted by Qt (the paint is awaited with processEvents
and checked through the layer's paint counter). The reference, measured in
the same run, is a full overlay refresh per dab (recolour the whole label
buffer and repaint the whole layer), which is what updating the overlay as a
whole image would cost. Goal: a dab in <= 16 ms at 8000x8000.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/annotation.py [--sizes 1000 4000 8000] [--dabs 60]
"""

from __future__ import annotations

import argparse
import gc
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

from gui.annotation.editor import MaskEditor  # noqa: E402

BRUSH = 40


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 8000])
    parser.add_argument("--dabs", type=int, default=60)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
