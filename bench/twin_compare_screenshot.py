"""Pose Compare runs on the NumPy net and its torch twin trained from the same weights.

    Xvfb :95 -screen 0 1400x900x24 &
    DISPLAY=:95 .venv/bin/python bench/twin_compare_screenshot.py --out docs/screenshots

The same recipe as the CLI (docs/train_panel.md, "Twin runs"): a numpy run, then a
torch ``lenet`` run with ``init_from=<numpy run>/init.npz``, same demo digits,
augmentation off; then CompareRunsWidget overlays them. About a minute on 2 cores.
Writes train_compare_twins.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # bench/gui.py must not shadow the gui package

COMMON = dict(task="mnist", epochs=6, batch_size=32, lr=2e-3, optimizer="adam", augment=False,
              demo_size=3000, limit=2000, seed=0, device="cpu")


def train_twins(root: Path) -> list[str]:
    from core.numpy_cnn.trainer import train_numpy
    from core.runs.config import TrainConfig
    from core.training.trainer import train_torch

    numpy_run, torch_run = root / "numpy-lenet", root / "torch-twin"
    train_numpy(TrainConfig(engine="numpy", out=str(numpy_run), **COMMON))
    train_torch(TrainConfig(engine="torch", model="lenet", out=str(torch_run),
                            init_from=str(numpy_run / "init.npz"), **COMMON))
    return [str(numpy_run), str(torch_run)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QSplitter

    from gui.train.compare import CompareRunsWidget

    app = QApplication([])
    with tempfile.TemporaryDirectory() as runs:
        widget = CompareRunsWidget(train_twins(Path(runs)))
        widget.setWindowTitle("Compare runs · NumPy engine vs torch twin")
        widget.resize(1100, 640)
        widget.show()
        widget.findChild(QSplitter).setSizes([260, 840])  # two short names: a narrow list
        path = args.out / "train_compare_twins.png"
        QTimer.singleShot(800, lambda: (widget.grab().save(str(path)), print("wrote", path), app.quit()))
        app.exec()


if __name__ == "__main__":
    main()
