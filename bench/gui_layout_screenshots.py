"""Screenshots of the Browse and Train workspaces on a real screen size, for docs/gui.md.

    Xvfb :12 -screen 0 1366x768x24 &
    DISPLAY=:12 .venv/bin/python bench/gui_layout_screenshots.py \\
        --data ../shared/data/carvana --run RUN --name 1366 --out docs/screenshots

The window opens as a first start does (fresh settings: it takes the screen), on
the real Carvana folder with a trained run's model (``main.py train`` on the same
folder); the Train shot shows that run's real curves in the Train dock. The whole X screen is
captured (``import -window root``), so what does not fit is not in the picture.
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


def capture(path: Path) -> None:
    subprocess.run(["import", "-window", "root", "-colors", "256", str(path)], check=True)
    print(f"{path}: {path.stat().st_size // 1024} KB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--name", required=True, help="suffix of the file names, e.g. 1366")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--item", type=int, default=5)
    args = parser.parse_args()
    out = Path(args.out)
    with tempfile.TemporaryDirectory() as temporary:
        for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, str(Path(temporary) / "settings"))
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        os.environ["CNN_LYTICAL_DATA_DIR"] = str(Path(temporary) / "user-data")
        from gui.app import create_application
        from gui.main_window import MainWindow
        from gui.settings import open_settings

        app = create_application()  # noqa: F841 - keeps Qt alive
        open_settings().setValue("train/runs_folder", str(Path(temporary) / "runs"))
        window = MainWindow()
        window.show()
        shown = []
        window.dataset_shown.connect(shown.append)
        window.open_initial(args.data, None, args.run)
        pump(lambda: shown and window.prediction.info is not None, seconds=0.5)
        window.browser.select(args.item)
        predicted = []
        window.prediction_shown.connect(predicted.append)
        pump(lambda: predicted and window.current_item == args.item, seconds=1.5)
        print(f"window {window.width()}x{window.height()} on a "
              f"{window.screen().availableGeometry().width()}x"
              f"{window.screen().availableGeometry().height()} screen")
        capture(out / f"browse_{args.name}.png")

        # the Train panel with the run's real curves (training live here would take minutes
        # per epoch on a shared 2-core machine; the run itself was trained with main.py train)
        from core.reports import load_run_curves, metric_names

        history = load_run_curves(args.run)
        window.train_dock.show()
        window.train_panel.curves.add_history(history, metric_names(history))
        window.train_panel.curves.set_epoch_span(len(history["epoch"]))
        window.train_panel.log.appendPlainText(f"Curves of {args.run}")
        pump(seconds=1.5)
        capture(out / f"train_{args.name}.png")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
