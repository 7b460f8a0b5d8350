"""Pose the Export dialog for docs/screenshots/export_*.png (run under Xvfb).

    Xvfb :96 -screen 0 1600x1000x24 &
    DISPLAY=:96 .venv/bin/python bench/export_screenshots.py [--unet-run RUN] [--mnist-run RUN]

Trains small runs when none are given, exports each through the dialog (int8,
real worker thread), waits for the float32-vs-int8 view and saves the dialog.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def trained(folder: Path, given: str | None, **config) -> str:
    if given:
        return given
    from core.training.api import train
    from core.runs.config import TrainConfig

    train(TrainConfig(out=str(folder), seed=0, **config))
    return str(folder)


def pose(app, run_dir: str, name: str, image_index: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    from core.runs.run_dir import RunDir
    from gui.export.dialog import ExportDialog

    dataset = RunDir.open(run_dir).dataset()
    dialog = ExportDialog(run_dir, dataset)
    dialog.show()
    loop = QEventLoop()
    dialog.comparison_shown.connect(loop.quit)
    dialog.export_failed.connect(lambda message: (print(message), loop.quit()))
    dialog.int8_box.setChecked(True)
    dialog.calib_spin.setValue(32)
    dialog.start_export()  # what the form says
    loop.exec()
    dialog._heldout_position = image_index - 1
    dialog._step_heldout(1)
    dialog.comparison_shown.connect(loop.quit)
    loop.exec()
    QTimer.singleShot(300, loop.quit)  # let the charts lay out
    loop.exec()
    target = ROOT / "docs" / "screenshots" / f"export_{name}.png"
    dialog.grab().save(str(target))
    print(target)
    dialog.shutdown()
    dialog.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unet-run")
    parser.add_argument("--mnist-run")
    parser.add_argument("--image", type=int, default=0, help="held-out image to compare")
    parser.add_argument("--which", default="unet,mnist", help="dialogs to pose")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CONFIG_HOME"] = folder  # never touch the user's QSettings
        from gui.app import create_application

        app = create_application()
        if "unet" in args.which:
            unet = trained(Path(folder) / "unet", args.unet_run, task="carvana", epochs=2,
                           demo_size=120, batch_size=8)
            pose(app, unet, "dialog_unet", args.image)
        if "mnist" in args.which:
            mnist = trained(Path(folder) / "mnist", args.mnist_run, task="mnist", epochs=2,
                            demo_size=1000)
            pose(app, mnist, "dialog_classification", args.image)
    return 0


if __name__ == "__main__":
    sys.exit(main())
