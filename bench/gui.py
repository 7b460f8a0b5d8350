"""GUI responsiveness: start-up to the first window, thumbnail click to image shown,
thumbnail scrolling on a 5,000-image folder, and the UI thread's longest stall while a
model trains.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui.py [--images 5000] [--train-seconds 8]
        [--startup-runs 5] [--click-data ../shared/data/carvana] [--only startup,click,...]
        [--thread-reference]   (parts: startup, runstart, click, browser, training)

Everything runs offscreen with settings and runs in a temporary folder. References
measured in the same run:
- browser: decoding the same thumbnails eagerly on the UI thread (what a naive
  QListWidget of icons does) against our lazy, pooled decoding;
- training: the UI heartbeat of the idle window against the heartbeat while training;
  with ``--thread-reference`` also the trainer in a thread of the GUI process (before #12)
  against the spawned training process the app uses;
- start-up: a bare QMainWindow in a fresh interpreter against ours (same machine, same run);
- clicks: decoding and showing the image on the UI thread (what a click cost before the
  sample cache) against a click on an image the cache already holds;
- run start (``--only runstart``): train() to the first batch in the training process
  against a warm thread of this process (what the process costs at each run's start).
Stalls are shown raw and without OS run-queue waits (time other processes held the
CPUs; see gui/heartbeat.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtCore import QCoreApplication, QPoint, QSettings  # noqa: E402

from gui.heartbeat import UIHeartbeat  # noqa: E402
from gui.images import thumbnail, to_qimage  # noqa: E402


def isolate_settings(folder: Path) -> None:
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder / "settings"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    os.environ["CNN_LYTICAL_DATA_DIR"] = str(folder / "user-data")


def write_folder(root: Path, count: int, size: int = 96) -> Path:
    """``count`` PNG images in 10 class subfolders (the folder-of-classes layout)."""
    rng = np.random.default_rng(0)
    for index in range(count):
        folder = root / f"class{index % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        image = np.full((size, size, 3), rng.integers(0, 256, 3), np.uint8)
        centre = tuple(int(c) for c in rng.integers(10, size - 10, 2))
        cv2.circle(image, centre, int(rng.integers(5, 30)), tuple(int(c) for c in rng.integers(0, 256, 3)), -1)
        cv2.imwrite(str(folder / f"img{index:05d}.png"), image)
    return root


def pump_until(condition, timeout: float = 30.0) -> float:
    """Process Qt events until ``condition()``; seconds taken."""
    started = time.perf_counter()
    while not condition():
        QCoreApplication.processEvents()
        if time.perf_counter() - started > timeout:
            raise TimeoutError("condition not met")
        time.sleep(0.001)
    return time.perf_counter() - started


def visible_rows(view) -> list[int]:
    grid = view.gridSize()
    rows = set()
    for y in range(2, view.viewport().height(), grid.height()):
        for x in range(2, view.viewport().width(), grid.width()):
            index = view.indexAt(QPoint(x + grid.width() // 2, y + grid.height() // 2))
            if index.isValid():
                rows.add(index.row())
    return sorted(rows)


def bench_browser(root: Path) -> dict[str, float]:
    from core.data import open_dataset
    from gui.browser.panel import BrowserPanel

    started = time.perf_counter()
    dataset = open_dataset(str(root))
    open_s = time.perf_counter() - started
    panel = BrowserPanel()
    panel.resize(380, 900)
    panel.show()
    model, view = panel.model, panel.view
    heartbeat = UIHeartbeat()
    heartbeat.start()
    started = time.perf_counter()
    panel.set_dataset(dataset)
    pump_until(lambda: visible_rows(view) and all(
        model.dataset_index(r) in model._cache for r in visible_rows(view)))
    first_screen_s = time.perf_counter() - started
    per_screen = len(visible_rows(view))
    bar, page_times = view.verticalScrollBar(), []
    for value in np.linspace(0, bar.maximum(), 40).astype(int):  # 40 jumps through the list
        bar.setValue(int(value))
        page_times.append(pump_until(lambda: all(
            model.dataset_index(r) in model._cache for r in visible_rows(view))))
    heartbeat.stop()
    decoded = len(model._cache)
    panel.shutdown()
    # reference: the same thumbnails decoded eagerly on the UI thread
    started = time.perf_counter()
    for index in range(per_screen):
        to_qimage(thumbnail(np.asarray(dataset[index].image), model.thumbnail_size))
    eager_screen_s = time.perf_counter() - started
    eager_all_s = eager_screen_s / per_screen * len(dataset)
    return {"images": len(dataset), "open_s": open_s, "first_screen_s": first_screen_s,
            "per_screen": per_screen, "page_fill_median_s": float(np.median(page_times)),
            "page_fill_max_s": float(np.max(page_times)), "decoded": decoded,
            "scroll_stall_ms": heartbeat.longest_stall_ms,
            "scroll_own_stall_ms": heartbeat.longest_own_stall_ms,
            "eager_screen_s": eager_screen_s, "eager_all_s": eager_all_s}


def bench_training(engine: str, seconds: float, runs: Path, in_thread: bool = False) -> dict:
    """``in_thread``: the trainer in a thread of the GUI process, as before #12 (reference)."""
    from gui.main_window import MainWindow
    from gui.settings import open_settings

    open_settings().setValue("train/runs_folder", str(runs))
    window = MainWindow(demo_size=1000)
    if in_thread:
        from core.training.api import train
        from gui.train.training_process import leave_a_core_for_the_ui

        def train_in_thread(config, on_event, cancel):  # what the worker thread did before #12
            leave_a_core_for_the_ui(config.engine)
            return train(config, on_event, cancel)

        window.train_panel._train_function = train_in_thread
    window.resize(1500, 950)
    window.show()
    opened = []
    window.dataset_shown.connect(opened.append)
    window.open_initial(None, "mnist")
    pump_until(lambda: opened)
    idle = UIHeartbeat()
    idle.start()
    end = time.perf_counter() + seconds / 2
    pump_until(lambda: time.perf_counter() > end, seconds)
    idle.stop()
    epochs = []
    window.train_panel.epoch_finished.connect(epochs.append)
    finished = []
    window.train_panel.run_finished.connect(lambda *args: finished.append(args))
    window.train_panel.start_training({"engine": engine, "model": None, "epochs": 1000, "limit": 600,
                                       "batch_size": 32, "demo_size": 1000, "augment": False})
    pump_until(lambda: epochs or finished, 300)  # warm: torch imported, first epoch done
    if finished:
        raise RuntimeError(f"training ended early: {finished[0]}")
    busy = UIHeartbeat()
    busy.start()
    end = time.perf_counter() + seconds
    pump_until(lambda: time.perf_counter() > end, seconds + 5)
    busy.stop()
    window.training.stop()
    pump_until(lambda: finished, 120)
    window.close()
    return {"engine": engine + (" (thread)" if in_thread else ""), "epochs_seen": len(epochs),
            "idle_stall_ms": idle.longest_stall_ms,
            "stall_ms": busy.longest_stall_ms, "own_stall_ms": busy.longest_own_stall_ms,
            "p99_ms": busy.percentile_stall_ms(99), "beats": len(busy.gaps_ms),
            "idle_beats": len(idle.gaps_ms)}


FIRST_WINDOW = """
import sys, time
if {ours}:
    from gui.app import create_application
    from gui.main_window import MainWindow
    app = create_application()
    window = MainWindow()
else:
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication(sys.argv)
    window = QMainWindow()
window.show()
while window.windowHandle() is None or not window.windowHandle().isExposed():
    app.processEvents()
app.processEvents()
shown = time.time()
if {ours}:  # the plots are built after the first paint: time until they are there too
    while not window.train_panel._curves.is_built:
        app.processEvents()
print(shown, time.time(), "torch" in sys.modules)
window.close()
"""


def first_window_seconds(ours: bool, folder: Path) -> tuple[float, float, bool]:
    """Process start to the window shown (events processed once), and to its plots built,
    in a fresh interpreter."""
    import subprocess

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(folder),
           "XDG_CONFIG_HOME": str(folder / "config"), "CNN_LYTICAL_DATA_DIR": str(folder / "data")}
    started = time.time()
    result = subprocess.run([sys.executable, "-c", FIRST_WINDOW.format(ours=ours)],
                            cwd=Path(__file__).resolve().parents[1], env=env,
                            capture_output=True, text=True, check=True)
    shown_at, complete_at, torch_loaded = result.stdout.split()[-3:]
    return float(shown_at) - started, float(complete_at) - started, torch_loaded == "True"


def bench_startup(runs: int, folder: Path) -> dict:
    first_window_seconds(True, folder)  # warm the file cache, as "warm machine" means
    ours, complete, bare, torch_seen = [], [], [], False
    for _ in range(runs):
        seconds, complete_seconds, torch_loaded = first_window_seconds(True, folder)
        ours.append(seconds)
        complete.append(complete_seconds)
        torch_seen |= torch_loaded
        bare.append(first_window_seconds(False, folder)[0])
    return {"ours": ours, "complete": complete, "bare": bare, "torch": torch_seen}


def bench_run_start(runs: int, folder: Path) -> dict[str, list[float]]:
    """Seconds from ``train`` to the first batch: the training process against a warm thread."""
    from core.runs.config import TrainConfig
    from core.runs.events import BatchEnd, CancelToken
    from core.training.api import train
    from gui.train.training_process import train_in_process

    import torch  # noqa: F401 - the window has it warm (its warm-up) when the user clicks Train

    def first_batch(function, engine: str, out: Path) -> float:
        cancel, started, seen = CancelToken(), time.perf_counter(), []

        def on_event(event) -> None:
            if isinstance(event, BatchEnd) and not seen:
                seen.append(time.perf_counter() - started)
                cancel.cancel()

        function(TrainConfig(task="mnist", engine=engine, epochs=1, limit=200, batch_size=32,
                             demo_size=400, augment=False, workers=0, out=str(out)), on_event, cancel)
        return seen[0]

    result = {}
    for engine in ("torch", "numpy"):
        for mode, function in (("process", train_in_process), ("thread", train)):
            result[f"{engine} {mode}"] = [first_batch(function, engine, folder / f"{engine}-{mode}-{i}")
                                          for i in range(runs)]
    return result


def print_run_start(result: dict[str, list[float]]) -> None:
    print("\nRun start: train() to the first batch, median (min-max)")
    for name, seconds in result.items():
        print(f"  {name:<16}{_ms(seconds)}")


def bench_clicks(data: str, clicks: int = 8) -> dict:
    """Per click: cache hit (neighbour prefetched) vs decode + show on the UI thread."""
    from gui.main_window import MainWindow

    window = MainWindow()
    window.resize(1500, 950)
    window.show()
    opened = []
    window.dataset_shown.connect(opened.append)
    window.open_initial(data, None)
    pump_until(lambda: opened, 120)
    order = [int(i) for i in window.browser.visible_indices()]
    hits, placeholders, cold, inline = [], [], [], []
    for step in range(clicks):
        item = order[1 + 4 * step]
        window.samples.wait()  # the neighbours of the current image are decoded
        started = time.perf_counter()
        window.browser.select(item)  # 4 rows on from the last click: not prefetched
        placeholders.append(time.perf_counter() - started)
        pump_until(lambda: window.current_item == item, 60)
        cold.append(time.perf_counter() - started)
        neighbour = order[2 + 4 * step]
        pump_until(lambda: window.samples.is_cached(neighbour), 60)
        started = time.perf_counter()
        window.browser.select(neighbour)  # prefetched after the last click
        QCoreApplication.processEvents()
        hits.append(time.perf_counter() - started)
        assert window.current_item == neighbour, "a prefetched neighbour was not shown at once"
        started = time.perf_counter()  # reference: the old click, decode + show on the UI thread
        sample = window.dataset[order[3 + 4 * step]]
        window.viewer.show_item("reference", np.asarray(sample.image), sample.target)
        QCoreApplication.processEvents()
        inline.append(time.perf_counter() - started)
    window.close()
    return {"hit": hits, "placeholder": placeholders, "cold": cold, "inline": inline,
            "items": len(order)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--train-seconds", type=float, default=8.0)
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--click-data", help="image folder for the click bench (e.g. Carvana)")
    parser.add_argument("--thread-reference", action="store_true",
                        help="also train in a thread of the GUI process (as before #12)")
    parser.add_argument("--only", default="startup,click,browser,training",
                        help="comma-separated parts to run")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    from gui.app import create_application

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        isolate_settings(folder)
        app = create_application()  # noqa: F841 - keeps Qt alive
        if "startup" in parts:
            print_startup(bench_startup(args.startup_runs, folder / "startup"))
        if "runstart" in parts:
            print_run_start(bench_run_start(3, folder / "runstart"))
        if "click" in parts and args.click_data:
            print_clicks(bench_clicks(args.click_data))
        if "browser" in parts:
            started = time.perf_counter()
            root = write_folder(folder / "images", args.images)
            print(f"wrote {args.images} PNGs in {time.perf_counter() - started:.1f} s")
            print_browser(bench_browser(root))
        if "training" in parts:
            print_training([bench_training(engine, args.train_seconds, folder / "runs", in_thread)
                            for engine in ("torch", "numpy")
                            for in_thread in ((False, True) if args.thread_reference else (False,))])
    print(f"\n{os.cpu_count()} CPUs; load average before {load_before:.1f}, after "
          f"{os.getloadavg()[0]:.1f} (other processes inflate the raw stalls)")
    return 0


def _ms(values: list[float]) -> str:
    return (f"{np.median(values) * 1000:7.1f} ms ({min(values) * 1000:.1f}-"
            f"{max(values) * 1000:.1f})")


def print_startup(result: dict) -> None:
    ours, bare = result["ours"], result["bare"]
    print(f"\nStart-up, process start to first window shown ({len(ours)} warm runs, median "
          "(min-max))")
    print(f"  CNN-Lytical main window      {_ms(ours)}   torch imported: {result['torch']}")
    print(f"    ... and its plots built    {_ms(result['complete'])}")
    print(f"  reference: bare QMainWindow  {_ms(bare)}")
    print(f"  ratio ours / bare            {np.median(ours) / np.median(bare):7.2f}x")


def print_clicks(result: dict) -> None:
    print(f"\nThumbnail click to image shown ({len(result['hit'])} clicks, "
          f"{result['items']}-image folder), median (min-max)")
    print(f"  decoded already (prefetched)      {_ms(result['hit'])}")
    print(f"  not decoded: placeholder shown    {_ms(result['placeholder'])}")
    print(f"  not decoded: image shown          {_ms(result['cold'])}")
    print(f"  reference: decode+show on UI      {_ms(result['inline'])}")
    print(f"  ratio reference / decoded already "
          f"{np.median(result['inline']) / np.median(result['hit']):7.1f}x")


def print_browser(browser: dict) -> None:
    b = browser
    print(f"\nThumbnail browser, {b['images']:,}-image folder ({b['per_screen']} thumbnails "
          "per screen, 40 jumps through the list)")
    print(f"{'measure':<44}{'value':>12}")
    rows = [("open the folder (list files)", f"{b['open_s'] * 1000:.0f} ms"),
            ("first screen of thumbnails shown", f"{b['first_screen_s'] * 1000:.0f} ms"),
            ("screen filled after a jump, median", f"{b['page_fill_median_s'] * 1000:.0f} ms"),
            ("screen filled after a jump, worst", f"{b['page_fill_max_s'] * 1000:.0f} ms"),
            ("thumbnails decoded in all (of the list)", f"{b['decoded']:,}"),
            ("UI longest stall while scrolling", f"{b['scroll_stall_ms']:.0f} ms"),
            ("  without OS run-queue waits", f"{b['scroll_own_stall_ms']:.0f} ms"),
            ("reference: one screen decoded on UI thread", f"{b['eager_screen_s'] * 1000:.0f} ms"),
            ("reference: all decoded eagerly (UI blocked)", f"{b['eager_all_s']:.1f} s"),
            ("ratio eager-all / our first screen", f"{b['eager_all_s'] / b['first_screen_s']:.0f}x")]
    for name, value in rows:
        print(f"{name:<44}{value:>12}")


def print_training(training: list[dict]) -> None:
    print("\nUI thread while training MNIST demo (QTimer heartbeat every 5 ms)")
    print(f"{'engine':<17}{'epochs':>7}{'idle stall':>12}{'train stall':>13}"
          f"{'own stall':>11}{'p99':>8}{'ratio':>8}")
    for t in training:
        ratio = t["stall_ms"] / max(t["idle_stall_ms"], 1e-3)
        print(f"{t['engine']:<17}{t['epochs_seen']:>7}{t['idle_stall_ms']:>10.1f}ms"
              f"{t['stall_ms']:>11.1f}ms{t['own_stall_ms']:>9.1f}ms{t['p99_ms']:>6.1f}ms"
              f"{ratio:>7.1f}x")


if __name__ == "__main__":
    sys.exit(main())
