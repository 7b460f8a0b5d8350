"""Screenshots of the Annotate workspace on a real Carvana car, at the two screen sizes the docs show.

    Xvfb :11 -screen 0 1366x768x24 &   (and again with 1920x1080x24)
    DISPLAY=:11 .venv/bin/python bench/annotate_workspace_screenshots.py \\
        --data ../shared/data/carvana --out docs/screenshots/annotate_1366.png

Opens the folder in the real main window sized to the screen, shows the
Annotate tab on the first car, selects it with one GrabCut box (the car's
true-mask box: a user's drag), starts a polygon so the preview shows, and
saves the window. Settings and masks go to a temporary folder: nothing is
written beside the data.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings  # noqa: E402

from bench.main_window_screenshots import pump  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--item", type=int, default=0)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="annotate-shots-")
    os.environ["CNN_LYTICAL_DATA_DIR"] = scratch
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, scratch)

    import numpy as np
    from PySide6.QtWidgets import QApplication

    from gui.app import STYLE_SHEET
    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(["cnn-lytical"])
    app.setStyle("Fusion")
    app.setStyleSheet(STYLE_SHEET.read_text())
    window = MainWindow()
    window.setGeometry(window.screen().availableGeometry())
    window.show()
    opened = []
    window.dataset_shown.connect(opened.append)
    window.open_initial(str(args.data), None)
    pump(lambda: opened, seconds=1.0)
    window.editor.set_dataset(window.dataset, Path(scratch) / "masks")  # keep masks off the data folder
    window.browser.select(args.item)
    window.tabs.setCurrentWidget(window.annotate_page)
    pump(lambda: window.editor.document is not None, seconds=1.0)
    editor = window.editor
    truth = np.asarray(window.current_sample.target) > 0
    ys, xs = np.nonzero(truth)
    editor.set_tool("grabcut")
    done = []
    editor.canvas.grabcut.finished.connect(lambda: done.append(1))
    editor.canvas.grabcut.finish_box((xs.min() - 12.0, ys.min() - 12.0), (xs.max() + 12.0, ys.max() + 12.0), False)
    pump(lambda: done, seconds=0.5)
    editor.set_tool("polygon")
    polygon = editor.canvas.tools["polygon"]
    height, width = truth.shape
    polygon.points = [(width * 0.08, height * 0.80), (width * 0.30, height * 0.74), (width * 0.52, height * 0.82)]
    polygon._draw((width * 0.40, height * 0.93))
    pump(seconds=1.0)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["import", "-window", "root", str(args.out)], check=True)
    subprocess.run(["convert", str(args.out), "-colors", "255", str(args.out)], check=True)
    print(f"{args.out}: {args.out.stat().st_size // 1024} KB, window {window.width()}x{window.height()}, "
          f"canvas {editor.canvas.width()}x{editor.canvas.height()}")
    editor.documents.clear()
    window.close()
    window.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
