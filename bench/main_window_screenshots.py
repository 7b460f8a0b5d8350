"""Pose the main window in each state and save screenshots for docs/gui.md.

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 .venv/bin/python bench/main_window_screenshots.py \\
        --mnist-run RUN --carvana-run RUN --out docs/screenshots

States: browse (CIFAR-10 demo, no model), classification (MNIST run, probability
chart), review queue, inspector, segmentation (Carvana run: predicted mask and
errors), training (live curves). Settings and new runs go to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QSettings  # noqa: E402

MAX_BYTES = 300_000


def pump(condition=lambda: True, seconds: float = 0.3, timeout: float = 300.0) -> None:
    """Process events until ``condition()`` (then ``seconds`` more, so paints settle)."""
    started = time.perf_counter()
    while not condition():
        QCoreApplication.processEvents()
        time.sleep(0.005)
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the window did not reach the state")
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QCoreApplication.processEvents()
        time.sleep(0.005)


def save(window, out: Path, name: str) -> None:
    path = out / f"main_{name}.png"
    window.grab().save(str(path))
    # the demo images are noisy and compress badly: fewer colours, then a smaller picture
    for options in (["-colors", "255"], ["-resize", "85%", "-colors", "128", "+dither"],
                    ["-resize", "70%", "-colors", "128", "+dither"]):
        if path.stat().st_size <= MAX_BYTES:
            break
        original = path.with_suffix(".full.png")
        window.grab().save(str(original))
        subprocess.run(["convert", str(original), *options, str(path)], check=True)
        original.unlink()
    print(f"{path}: {path.stat().st_size // 1024} KB")


def open_data(window, task: str) -> None:
    from gui.data_source import DataChoice

    shown = []
    window.dataset_shown.connect(shown.append)
    window.open_dataset(DataChoice(None, task))
    pump(lambda: shown)
    window.dataset_shown.disconnect()


def load_run(window, run_dir: str) -> None:
    shown = []
    window.prediction_shown.connect(shown.append)
    window.open_run(run_dir)
    pump(lambda: shown)
    window.prediction_shown.disconnect()


def select(window, item: int) -> None:
    shown = []
    window.prediction_shown.connect(shown.append)
    window.browser.select(item)
    pump(lambda: shown or window.prediction.predictor is None)
    window.prediction_shown.disconnect()


def pose_prediction_states(window, out: Path, mnist_run: str, carvana_run: str) -> None:
    window.train_dock.hide()  # the Train panel has its own shot
    open_data(window, "cifar10")
    window.browser.set_sort_key("label")
    select(window, int(window.browser.visible_indices()[3]))
    save(window, out, "browse")

    open_data(window, "mnist")
    window.browser.set_split("val")
    load_run(window, mnist_run)
    window.review_dock.raise_()
    review = window.review
    scored = []
    review.scores_ready.connect(scored.append)
    review.start_ranking()
    pump(lambda: scored)
    window.actions.review_next.trigger()
    window.actions.review_next.trigger()
    pump(lambda: window.prediction_panel.pages.currentIndex() == 1, 0.8)
    save(window, out, "review")
    window.prediction_dock.raise_()
    pump(seconds=0.5)
    save(window, out, "classification")
    window.inspector_dock.raise_()
    pump(lambda: window.inspector.last_result is not None, 0.8)
    save(window, out, "inspector")

    open_data(window, "carvana")
    window.prediction_dock.raise_()
    load_run(window, carvana_run)
    select(window, int(window.dataset.splits["val"][2]))
    window.viewer.set_overlay_mode("prediction")
    pump(seconds=0.5)
    save(window, out, "segmentation")
    window.viewer.set_overlay_mode("errors")
    window.viewer.opacity_slider.setValue(85)
    pump(seconds=0.5)
    save(window, out, "segmentation_errors")


def pose_training(window, out: Path) -> None:
    from PySide6.QtCore import Qt

    window.train_dock.show()
    window.prediction.clear()
    open_data(window, "mnist")
    window.prediction_dock.raise_()
    window.resizeDocks([window.train_dock], [560], Qt.Orientation.Vertical)
    epochs, finished = [], []
    window.train_panel.epoch_finished.connect(epochs.append)
    window.train_panel.run_finished.connect(lambda *args: finished.append(args))
    window.browser.select(4)
    window.train_panel.start_training({"engine": "torch", "model": None, "epochs": 12,
                                       "limit": 1200, "batch_size": 32})
    pump(lambda: len(epochs) >= 5 or finished, 1.5)
    save(window, out, "training")
    window.training.stop()
    pump(lambda: finished)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-run", required=True)
    parser.add_argument("--carvana-run", required=True)
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, temporary)
        os.environ["CNN_LYTICAL_DATA_DIR"] = temporary
        from gui.app import create_application
        from gui.main_window import MainWindow
        from gui.settings import open_settings

        app = create_application()  # noqa: F841
        open_settings().setValue("train/runs_folder", str(Path(temporary) / "runs"))
        window = MainWindow()
        window.move(0, 0)
        window.resize(1440, 900)
        window.show()
        pose_prediction_states(window, out, args.mnist_run, args.carvana_run)
        pose_training(window, out)
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
