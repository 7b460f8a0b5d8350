"""Screenshot of the live assist on a real Carvana car in the main window, for docs/annotation.md.

Copies one car's 16 views (Kaggle layout) to a temporary folder, so the
scribbles and masks folder never touch the shared data, opens it in the main
window, switches to Annotate, draws the strokes of bench/scribble_simulation.py
with the Scribble tool through real mouse events, waits for the overlay and
grabs the window. The dataset's own mask is hidden so the assist overlay shows.

    Xvfb :14 -screen 0 1920x1080x24 &
    DISPLAY=:14 .venv/bin/python bench/scribble_assist_screenshot.py --size 1366x768 \\
        --out docs/screenshots/annotation_scribble_assist.png [--other-view 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QPointF, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from bench.main_window_screenshots import pump  # noqa: E402
from bench.scribble_assist import DEFAULT_DATA, load_view, scribble_run  # noqa: E402
from core.assist import ScribbleAssistant  # noqa: E402
from core.assist.scribbles import BACKGROUND  # noqa: E402

BRUSH = 9  # wider than the bench's 5 px strokes, so they read on a screenshot


def copy_car(data: Path, car: str, target: Path) -> None:
    for folder, suffix in (("train", ".jpg"), ("train_masks", "_mask.gif")):
        (target / folder).mkdir(parents=True)
        for view in range(1, 17):
            name = f"{car}_{view:02d}{suffix}"
            shutil.copy(data / folder / name, target / folder / name)


def strokes_for(data: Path, car: str) -> list[tuple[np.ndarray, int]]:
    """The bench's simulated strokes on view 01, as (points, value)."""
    image, truth = load_view(data, car, 1)
    return scribble_run(ScribbleAssistant(), image, truth, 0.01, 0)[2]


def draw(editor, points: np.ndarray, background: bool) -> None:
    canvas, viewport = editor.canvas, editor.canvas.viewport()
    modifier = Qt.KeyboardModifier.ShiftModifier if background else Qt.KeyboardModifier.NoModifier

    def at(x, y):
        return canvas.mapFromScene(QPointF(float(x) + 0.5, float(y) + 0.5))

    dense = [points[0] + (points[1] - points[0]) * t for t in np.linspace(0, 1, 12)]
    dense += [points[1] + (points[2] - points[1]) * t for t in np.linspace(0, 1, 12)[1:]]
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, at(*dense[0]))
    for point in dense[1:]:
        QTest.mouseMove(viewport, at(*point))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, at(*dense[-1]))


def grab_other_view(window, view: int, out: Path) -> None:
    """Open a view nobody scribbled and grab the assist the forest learned from view 01."""
    dataset, scribbles = window.dataset, window.editor.scribbles
    suffix = f"_{view:02d}"
    index = next(i for i in range(len(dataset)) if dataset.item_id(i).endswith(suffix))
    window.browser.select(index)
    pump(lambda: (scribbles.item_id or "").endswith(suffix) and scribbles.probability is not None
         and not scribbles.runner.busy, seconds=1.0)
    pump(seconds=0.5)
    window.grab().save(str(out))
    print(f"{out}: view {view:02d} (no strokes), last update {scribbles.last_seconds:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--size", default="1366x768")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots/annotation_scribble_assist.png"))
    parser.add_argument("--other-view", type=int, default=None,
                        help="then open this view of the car (never scribbled) and grab it too, as OUT_viewNN.png")
    args = parser.parse_args()
    if not (args.data / "train").is_dir():
        print(f"skipped: no Carvana data at {args.data}")
        return 0
    width, height = (int(n) for n in args.size.split("x"))
    car = sorted(p.name.rsplit("_", 1)[0] for p in (args.data / "train").glob("*_01.jpg"))[0]
    strokes = strokes_for(args.data, car)
    with tempfile.TemporaryDirectory() as temporary:
        for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, temporary)
        os.environ["CNN_LYTICAL_DATA_DIR"] = temporary
        copy_car(args.data, car, Path(temporary) / "carvana")
        from gui.app import create_application
        from gui.data_source import DataChoice
        from gui.main_window import MainWindow

        app = create_application()  # noqa: F841
        window = MainWindow()
        window.setGeometry(0, 0, width, height)
        window.show()
        shown = []
        window.dataset_shown.connect(shown.append)
        window.open_dataset(DataChoice(str(Path(temporary) / "carvana"), None))
        pump(lambda: shown)
        window.browser.select(0)
        window.tabs.setCurrentWidget(window.annotate_page)
        editor = window.editor
        pump(lambda: editor.document is not None and editor.canvas.image is not None, seconds=1.0)
        editor.options.show_label.setChecked(False)
        editor.set_tool("scribble")
        editor.options.size.setValue(BRUSH)
        for points, value in strokes:
            draw(editor, points, value == BACKGROUND)
        pump(lambda: editor.scribbles.probability is not None and not editor.scribbles.runner.busy, seconds=1.0)
        QTest.mouseMove(editor.canvas.viewport(), editor.canvas.viewport().rect().center())
        pump(seconds=0.5)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(args.out))
        print(f"{args.out}: {width}x{height}, {len(strokes)} strokes, {args.out.stat().st_size // 1024} KB, "
              f"last update {editor.scribbles.last_seconds:.2f} s")
        if args.other_view is not None:
            grab_other_view(window, args.other_view, args.out.with_name(f"{args.out.stem}_view{args.other_view:02d}.png"))
        editor.scribbles.shutdown()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
