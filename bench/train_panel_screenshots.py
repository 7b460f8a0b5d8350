"""Pose the Train panel for the docs: mid-training, after a run, and compare runs.

    Xvfb :98 -screen 0 1600x1000x24 &
    DISPLAY=:98 .venv/bin/python bench/train_panel_screenshots.py --out docs/screenshots

Trains the NumPy engine and its torch twin on demo MNIST (a couple of minutes on
2 cores) and writes train_running.png, train_finished.png, train_confusion.png,
train_dock.png and train_compare.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # bench/gui.py must not shadow the gui package

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

EPOCHS, BATCH_SIZE, LIMIT, DEMO_SIZE = 6, 32, 3000, 4000


class Poser:
    """Runs numpy then torch training, grabbing the panel at the interesting moments."""

    def __init__(self, app: QApplication, out: Path, runs: Path):
        from gui.train.panel import TrainPanel

        self.app, self.out = app, out
        self.panel = TrainPanel()
        self.panel.runs_folder = runs
        self.panel.setWindowTitle("CNN-Lytical · Train")
        self.panel.resize(1400, 860)
        self.panel.show()
        self.panel.set_dataset(None, "mnist")
        self.runs: list[str] = []
        self.panel.epoch_finished.connect(self.on_epoch)
        self.panel.run_finished.connect(self.on_finished)

    def grab(self, widget, name: str) -> None:
        path = self.out / name
        widget.grab().save(str(path))
        print("wrote", path)

    def start(self, engine: str) -> None:
        form = self.panel.options
        form.engine_combo.setCurrentText(engine)
        form.epochs_spin.setValue(EPOCHS)
        form.batch_spin.setValue(BATCH_SIZE)
        form.limit_spin.setValue(LIMIT)
        self.panel.start_training({"demo_size": DEMO_SIZE})

    def on_epoch(self, event) -> None:
        if event.epoch == 3 and not self.runs:  # mid-run: let a few batches of epoch 4 draw
            QTimer.singleShot(1500, lambda: self.grab(self.panel, "train_running.png"))

    def on_finished(self, run_dir: str, status: str, message: str) -> None:
        self.runs.append(run_dir)
        if len(self.runs) == 1:
            QTimer.singleShot(500, lambda: self.start("torch"))
            return
        self.panel.confusion.report = None
        self.wait_for_confusion()

    def wait_for_confusion(self) -> None:
        if self.panel.confusion.report is None:
            QTimer.singleShot(200, self.wait_for_confusion)
            return
        self.grab(self.panel, "train_finished.png")
        self.panel.tabs.setCurrentWidget(self.panel.confusion)
        QTimer.singleShot(300, self.finish)

    def finish(self) -> None:
        self.grab(self.panel, "train_confusion.png")
        self.panel.resize(1600, 460)  # as in the main window's bottom dock
        QTimer.singleShot(500, self.grab_dock)

    def grab_dock(self) -> None:
        self.grab(self.panel, "train_dock.png")
        compare = self.panel.open_compare(self.runs)
        compare.resize(1200, 700)
        QTimer.singleShot(500, lambda: (self.grab(compare, "train_compare.png"),
                                        self.panel.shutdown(), self.app.quit()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    with tempfile.TemporaryDirectory() as runs:
        # keep the user's own settings out of it
        QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, runs)
        poser = Poser(app, args.out, Path(runs))
        poser.panel._cuda_probe.finished.connect(lambda _: QTimer.singleShot(300, lambda: poser.start("numpy")))
        app.exec()


if __name__ == "__main__":
    main()
