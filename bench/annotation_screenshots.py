"""Pose the mask editor on a demo Carvana car and capture screenshots for docs/annotation.md.

Run under a virtual display (ANNOTATION uses :97):
    Xvfb :97 -screen 0 1600x1000x24 &
    DISPLAY=:97 .venv/bin/python bench/annotation_screenshots.py docs/screenshots
The 'prediction' is the car's true mask degraded (shifted, eroded, with a
spurious blob) to stand in for an imperfect model, so the overlay shows what
a user corrects.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.data import demo_dataset  # noqa: E402
from gui.annotation.editor import MaskEditor  # noqa: E402

WIDTH, HEIGHT = 1280, 800


def imperfect_prediction(mask: np.ndarray) -> np.ndarray:
    """Probabilities that miss the car's edges on one side and add a false blob."""
    shifted = np.roll(mask.astype(np.float32), (3, 6), axis=(0, 1))
    eroded = cv2.erode(shifted, np.ones((5, 5), np.uint8))
    eroded[8:22, 10:30] = 1.0
    return cv2.GaussianBlur(eroded, (0, 0), 1.5)


def settle(app: QApplication, seconds: float = 0.4) -> None:
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        time.sleep(0.02)


def capture(app: QApplication, path: Path) -> None:
    settle(app)
    subprocess.run(["import", "-window", "root", "-crop", f"{WIDTH}x{HEIGHT}+0+0", "+repage", str(path)], check=True)
    print("wrote", path, path.stat().st_size // 1024, "KB")


def main(out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    dataset = demo_dataset("carvana")
    sample = dataset[3]
    with tempfile.TemporaryDirectory() as masks_dir:
        editor = MaskEditor()
        editor.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        editor.setGeometry(0, 0, WIDTH, HEIGHT)
        editor.show()
        editor.set_dataset(dataset, masks_dir)
        prediction = imperfect_prediction(sample.target)
        editor.set_item(sample.item_id, sample.image, None, prediction)
        editor.accept_prediction()                      # start from the model's mask ...
        canvas, viewport = editor.canvas, editor.canvas.viewport()
        at = lambda x, y: canvas.mapFromScene(QPointF(x + 0.5, y + 0.5))  # noqa: E731
        editor.options.size.setValue(7)
        editor.set_tool("eraser")                       # ... erase the false blob ...
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(10, 9))
        for x, y in [(30, 9), (30, 14), (10, 14), (10, 19), (30, 19), (30, 23), (10, 23)]:
            QTest.mouseMove(viewport, at(x, y))
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(10, 23))
        editor.set_tool("brush")                        # ... and paint a missed edge, mid-stroke
        editor.options.size.setValue(9)
        ys, xs = np.nonzero(sample.target)
        left_edge = [(int(xs[ys == y].min()) + 2, int(y)) for y in range(int(ys.min()) + 6, int(ys.max()) - 6, 4)]
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(*left_edge[0]))
        for point in left_edge[1:len(left_edge) // 2]:
            QTest.mouseMove(viewport, at(*point))
        capture(app, out / "annotation_editor.png")
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(*point))

        editor.set_item(dataset.item_id(7), dataset[7].image, None, imperfect_prediction(dataset[7].target))
        editor.options.show_prediction.setChecked(False)
        editor.set_tool("grabcut")                      # a GrabCut box being dragged around the next car
        ys, xs = np.nonzero(dataset[7].target)
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         at(int(xs.min()) - 4, int(ys.min()) - 4))
        QTest.mouseMove(viewport, at(int(xs.max()) + 4, int(ys.max()) + 4))
        capture(app, out / "annotation_grabcut_box.png")
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           at(int(xs.max()) + 4, int(ys.max()) + 4))
        editor.set_tool("polygon")                      # the GrabCut result, then a polygon in progress
        for point in [(20, 100), (60, 96), (90, 110)]:
            QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(*point))
        QTest.mouseMove(viewport, at(70, 122))
        capture(app, out / "annotation_grabcut_result.png")
        editor.journal.close()
        editor.close()
        del editor
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
