"""Benchmark on the real datasets in ../shared/data: the data path and the recipes.

    .venv/bin/python bench/real_data.py decode   [--repeat 12]
    .venv/bin/python bench/real_data.py epoch    [--items 48] [--sizes 160,320]
    .venv/bin/python bench/real_data.py malloc   [--items 48] [--batch-size 4]
    .venv/bin/python bench/real_data.py prepare  (CIFAR-10 JPGs -> /tmp/cifar10, MNIST folder)
    .venv/bin/python bench/real_data.py predict  RUN_DIR [--screenshot docs/screenshots/x.png]
    .venv/bin/python bench/real_data.py recipes  RUN_DIR [RUN_DIR ...]

Prints one line and exits 0 when the data folder is absent (a new user's
machine, CI). Everything is measured in this run against a reference measured
in the same run, medians with their spread (min-max):

- decode: per Carvana item, full JPEG decode + resize (what a reader did)
  against the reduced decode (``core.data.decode``), the GIF mask through
  OpenCV against Pillow, and the browser's thumbnail (the item, then a resize,
  against ``core.data.preview``);
- epoch: one training epoch of the Carvana recipe's U-Net through the
  product's loader (cold cache, then warm) against the same epoch over tensors
  decoded beforehand; the goal is <= 1.25x at every working size;
- malloc: the same epoch in two fresh processes, with and without
  ``core.malloc_tuning``: wall time, user/system CPU seconds, page faults;
- predict: a Carvana run on held-out 1918x1280 cars, time per stage, and a
  composite screenshot of predicted masks;
- recipes: ``eval`` of finished recipe runs (accuracy or full-resolution and
  working-size Dice on their held-out split).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("CNN_LYTICAL_REAL_DATA", ROOT.parent / "shared" / "data"))
CARVANA = DATA / "carvana"
CIFAR_TAR = DATA / "cifar10-train-jpg.tar.gz"
CIFAR_OUT = Path("/tmp/cifar10")


def spread(values) -> str:
    values = np.asarray(values, dtype=np.float64)
    return f"{np.median(values):.2f} ({values.min():.2f}-{values.max():.2f})"


def carvana_files(count: int) -> list[tuple[Path, Path]]:
    images = sorted((CARVANA / "train").glob("*.jpg"))[:count]
    return [(p, CARVANA / "train_masks" / f"{p.stem}_mask.gif") for p in images]


# --- decode ---------------------------------------------------------------------------------
def bench_decode(repeat: int) -> None:
    import cv2

    from core.data.decode import decode_image, decode_mask
    from core.data.images import read_image
    from core.data.masks import read_mask
    from core.preprocess import Preprocess

    cv2.setNumThreads(1)  # per item, as a DataLoader worker runs it
    pairs = carvana_files(repeat)
    print("| per Carvana item, ms (median, min-max) | old path | new path | speed-up |")
    print("|---|---|---|---|")
    for size in ((160, 240), (320, 480), (640, 960)):
        resize = Preprocess(3, size).resize
        old = [_ms(lambda p=p: resize(read_image(p))) for p, _ in pairs]
        new = [_ms(lambda p=p: decode_image(p, size)) for p, _ in pairs]
        print(f"| JPEG 1918x1280 -> {size[0]}x{size[1]} | {spread(old)} | {spread(new)} | "
              f"{np.median(old) / np.median(new):.1f}x |")
    old = [_ms(lambda m=m: read_mask(m)) for _, m in pairs]
    new = [_ms(lambda m=m: decode_mask(m)) for _, m in pairs]
    print(f"| GIF mask 1918x1280 (OpenCV -> Pillow) | {spread(old)} | {spread(new)} | "
          f"{np.median(old) / np.median(new):.1f}x |")
    _bench_thumbnails(repeat)


def _bench_thumbnails(repeat: int) -> None:
    """The browser's 72 px tile: the dataset's item (full image and mask) then a resize,
    against ``core.data.preview`` (reduced decode, no mask)."""
    from core.data.open import open_dataset
    from core.data.preview import preview
    from core.preprocess import Preprocess

    dataset = open_dataset(CARVANA)
    tile = Preprocess(3, (48, 72)).resize
    indices = range(min(repeat, len(dataset)))
    old = [_ms(lambda i=i: tile(dataset[i].image)) for i in indices]
    new = [_ms(lambda i=i: tile(preview(dataset, i, 72)[0])) for i in indices]
    print(f"| browser tile 72 px (item + resize -> preview) | {spread(old)} | {spread(new)} | "
          f"{np.median(old) / np.median(new):.1f}x |")


def _ms(function) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


# --- epoch ----------------------------------------------------------------------------------
class _Uncached:
    """A split view the loader cannot see the files behind: items decode through the
    dataset (full-size JPEG, OpenCV GIF, resize), the data path before this issue."""

    def __init__(self, view):
        self.view, self.kind, self.class_names = view, view.kind, view.class_names

    def __len__(self):
        return len(self.view)

    def __getitem__(self, index):
        return self.view[index]

    def item_path(self, index):
        return self.view.item_path(index)

    def item_id(self, index):
        return self.view.item_id(index)


def _epoch_setup(items: int, height: int, batch_size: int = 4, old_path: bool = False):
    import torch

    from core.data.carvana import open_carvana
    from core.data.base import split_view
    from core.models import create_model
    from core.preprocess import Preprocess
    from core.training.loaders import IMAGENET_STATS, LoaderOptions, TorchDataset, make_loader

    dataset = open_carvana(CARVANA)
    view = split_view(dataset, "train")
    view.indices = view.indices[:items]
    width = int(round(height * 1918 / 1280 / 16) * 16)
    preprocess = Preprocess(3, (height, width), *IMAGENET_STATS)
    torch.manual_seed(0)
    model = create_model("unet")
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    items_view = _Uncached(view) if old_path else view
    loader = make_loader(TorchDataset(items_view, preprocess), LoaderOptions(batch_size, shuffle=True))
    return model, optimizer, loader


def _step(model, optimizer, images, masks) -> None:
    import torch

    loss = torch.nn.functional.binary_cross_entropy_with_logits(model(images)[:, 0], masks)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def _timed_epoch(model, optimizer, batches) -> tuple[float, float]:
    """(epoch seconds, seconds spent waiting for data)."""
    start = waiting = time.perf_counter()
    waited = 0.0
    for images, masks in batches:
        waited += time.perf_counter() - waiting
        _step(model, optimizer, images, masks)
        waiting = time.perf_counter()
    return time.perf_counter() - start, waited


def bench_epoch(items: int, heights: list[int], repeat: int) -> None:
    print("| working size | items | pre-decoded s | old path s (x) | cold cache s (x) | warm cache s (x) | "
          "data share: old / warm |")
    print("|---|---|---|---|---|---|---|")
    for height in heights:
        model, optimizer, old_loader = _epoch_setup(items, height, old_path=True)
        old, old_wait = _timed_epoch(model, optimizer, old_loader)
        _, _, loader = _epoch_setup(items, height)
        cold, _ = _timed_epoch(model, optimizer, loader)
        tensors = [(x.clone(), y.clone()) for x, y in loader]  # decoded beforehand
        warm, pre, waits = [], [], []
        for _ in range(repeat):
            seconds, waited = _timed_epoch(model, optimizer, loader)
            warm.append(seconds)
            waits.append(waited / seconds)
            pre.append(_timed_epoch(model, optimizer, tensors)[0])
        size = loader.dataset.preprocess.size
        reference = np.median(pre)
        print(f"| {size[0]}x{size[1]} | {items} | {spread(pre)} | {old:.2f} ({old / reference:.2f}x) | "
              f"{cold:.2f} ({cold / reference:.2f}x) | {spread(warm)} ({np.median(warm) / reference:.2f}x) | "
              f"{old_wait / old:.1%} / {np.median(waits):.1%} |", flush=True)


# --- malloc ---------------------------------------------------------------------------------
MALLOC_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
if sys.argv[1] == "tuned":
    from core.malloc_tuning import keep_freed_memory
    assert keep_freed_memory()
from bench.real_data import _epoch_setup, _timed_epoch
model, optimizer, loader = _epoch_setup(int(sys.argv[2]), 160, int(sys.argv[4]))
tensors = [(x.clone(), y.clone()) for x, y in loader]
_timed_epoch(model, optimizer, tensors)
before = resource.getrusage(resource.RUSAGE_SELF)
seconds = min(_timed_epoch(model, optimizer, tensors)[0] for _ in range(2))
after = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "user": (after.ru_utime - before.ru_utime) / 2,
                  "system": (after.ru_stime - before.ru_stime) / 2,
                  "faults": (after.ru_minflt - before.ru_minflt) / 2, "peak_gb": after.ru_maxrss / 2**20}))
"""


def bench_malloc(items: int, repeat: int, batch_size: int) -> None:
    print(f"U-Net at 160x240, batch {batch_size}, {items} items a pre-decoded epoch")
    print("| allocator | epoch s | user CPU s | system CPU s | minor faults | peak RSS GB |")
    print("|---|---|---|---|---|---|")
    results = {"default": [], "tuned": []}
    for _ in range(repeat):
        for mode in results:
            env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
            done = subprocess.run([sys.executable, "-c", MALLOC_CHILD, mode, str(items), str(ROOT),
                                   str(batch_size)],
                                  capture_output=True, text=True, env=env, cwd=ROOT, check=True)
            results[mode].append(json.loads(done.stdout.strip().splitlines()[-1]))
    for mode, runs in results.items():
        column = lambda key: [r[key] for r in runs]  # noqa: E731
        print(f"| {mode} | {spread(column('seconds'))} | {spread(column('user'))} | "
              f"{spread(column('system'))} | {np.median(column('faults')):,.0f} | {np.median(column('peak_gb')):.2f} |")
    ratio = np.median([r["seconds"] for r in results["default"]]) / np.median([r["seconds"] for r in results["tuned"]])
    print(f"tuned is {ratio:.2f}x faster per epoch (median of {repeat})")


# --- prepare --------------------------------------------------------------------------------
def prepare_cifar(out: Path = CIFAR_OUT, test_count: int = 5000, seed: int = 0) -> Path:
    """The 50,000 CIFAR-10 training JPGs -> ``out/cifar-10-batches-py`` written by the
    project's writer: 45,000 as data_batch_1..5, a seeded 5,000 as test_batch (the
    official test set is kept apart, so this is the held-out test split)."""
    import cv2

    from core.data.cifar import CLASS_NAMES
    from core.data.writers import write_cifar10

    folder = out / "cifar-10-batches-py"
    if (folder / "test_batch").is_file():
        return folder
    jpgs = out / "jpg"
    if not (jpgs / "train").is_dir():
        with tarfile.open(CIFAR_TAR) as archive:
            archive.extractall(jpgs, filter="data")
    images, labels = [], []
    for label, name in enumerate(CLASS_NAMES):
        for path in sorted((jpgs / "train" / name).glob("*.jpg")):
            images.append(cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB))
            labels.append(label)
    images, labels = np.stack(images), np.asarray(labels)
    order = np.random.default_rng(seed).permutation(len(images))
    test, train = order[:test_count], order[test_count:]
    batches = [(images[part], labels[part]) for part in np.array_split(train, 5)]
    return write_cifar10(folder, batches, test=(images[test], labels[test]))


def prepare_mnist(out: Path = Path("/tmp/mnist-real")) -> Path:
    """Real MNIST's 60,000 training digits as train (50,000) + a seeded 10,000 held out as
    the IDX test files: the official test set is kept apart."""
    from core.data.mnist import open_mnist
    from core.data.writers import write_mnist

    if (out / "t10k-images-idx3-ubyte").is_file():
        return out
    dataset = open_mnist(DATA / "mnist")
    images = np.stack([dataset[i].image for i in range(len(dataset))])
    labels = np.asarray([dataset[i].target for i in range(len(dataset))])
    order = np.random.default_rng(0).permutation(len(images))
    test, train = order[:10000], order[10000:]
    write_mnist(out, (images[train], labels[train]), (images[test], labels[test]))
    return out


# --- predict and screenshot -----------------------------------------------------------------
def bench_predict(run: str, repeat: int, shot: Path | None) -> None:
    """Full-resolution prediction on held-out (test split) cars: time per stage, and a
    composite of four cars with the predicted mask (green) and the true edge (red)."""
    import cv2

    from core.cli.eval_command import load_predictor
    from core.data.base import split_view
    from core.data.carvana import open_carvana
    from core.data.decode import decode_image
    from core.data.images import read_image

    predictor = load_predictor(run, "best")
    view = split_view(open_carvana(CARVANA), "test")
    paths = [Path(view.item_path(i)) for i in range(min(repeat, len(view)))]
    stages = {"read 1918x1280 JPEG": [], "predict (resize, forward, mask back to full size)": [],
              "reduced decode at working size (instead of the read)": []}
    for path in paths:
        start = time.perf_counter()
        image = read_image(path)
        stages["read 1918x1280 JPEG"].append(time.perf_counter() - start)
        start = time.perf_counter()
        predictor.predict(image)
        stages["predict (resize, forward, mask back to full size)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        decode_image(path, predictor.preprocess.size)
        stages["reduced decode at working size (instead of the read)"].append(time.perf_counter() - start)
    print(f"| full-resolution predict, {len(paths)} test cars, ms | median (min-max) |")
    print("|---|---|")
    for name, seconds in stages.items():
        print(f"| {name} | {spread(np.asarray(seconds) * 1000)} |")
    if shot is None:
        return
    tiles = []
    for index in range(min(4, len(view))):
        sample = view[index * max(1, len(view) // 4)]
        probability = predictor.predict(sample.image)
        tile = sample.image.copy()
        predicted = probability > 0.5
        tile[predicted] = (0.55 * tile[predicted] + 0.45 * np.array([40, 220, 60])).astype(np.uint8)
        edges = cv2.morphologyEx(np.asarray(sample.target, np.uint8), cv2.MORPH_GRADIENT, np.ones((5, 5), np.uint8))
        tile[edges > 0] = (230, 30, 30)
        tile = cv2.resize(tile, (640, 427), interpolation=cv2.INTER_AREA)
        cv2.putText(tile, sample.item_id, (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2)
        tiles.append(tile)
    grid = np.vstack([np.hstack(tiles[0:2]), np.hstack(tiles[2:4])])
    shot.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(shot), cv2.cvtColor(grid, cv2.COLOR_RGB2BGR))
    print(f"wrote {shot}")


# --- recipes --------------------------------------------------------------------------------
def bench_recipes(runs: list[str]) -> None:
    print("| run | task | model | epochs | train s | held-out split | metric |")
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        summary = json.loads((Path(run) / "summary.json").read_text())
        config = json.loads((Path(run) / "config.json").read_text())
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), "eval", "--run", run],
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            print(f"| {run} | eval failed: {done.stderr.strip().splitlines()[-1]} |")
            continue
        metrics = json.loads(done.stdout)
        if "accuracy" in metrics:
            metric = f"accuracy {metrics['accuracy']:.4f} on {metrics['items']}"
        else:
            working = metrics.get("at_working_size", {}).get("dice", float("nan"))
            metric = (f"Dice {metrics['dice']:.4f} full-res, {working:.4f} at "
                      f"{'x'.join(map(str, metrics.get('working_size', [])))} on {metrics['items']}")
        seconds = summary.get("seconds", summary.get("train_seconds", float("nan")))
        print(f"| {run} | {config['task']} | {config.get('model')} | {summary.get('epochs_done')} | "
              f"{seconds:.0f} | {metrics['split']} | {metric} |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("decode", "epoch", "malloc", "prepare", "predict", "recipes"))
    parser.add_argument("--screenshot", type=Path, help="predict: write a composite PNG of four test cars")
    parser.add_argument("runs", nargs="*")
    parser.add_argument("--items", type=int, default=48)
    parser.add_argument("--sizes", default="160,320")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=4, help="malloc: the batch size")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: no real data at {DATA} (see its README; tests never need it)")
        return 0
    print(f"# bench/real_data.py {args.what}; load average before: {os.getloadavg()[0]:.2f}", flush=True)
    start = resource.getrusage(resource.RUSAGE_SELF)
    if args.what == "decode":
        bench_decode(max(args.repeat, 12))
    elif args.what == "epoch":
        bench_epoch(args.items, [int(s) for s in args.sizes.split(",")], args.repeat)
    elif args.what == "malloc":
        bench_malloc(args.items, args.repeat, args.batch_size)
    elif args.what == "predict":
        bench_predict(args.runs[0], max(args.repeat, 8), args.screenshot)
    elif args.what == "prepare":
        print(prepare_cifar(), prepare_mnist())
    else:
        bench_recipes(args.runs)
    end = resource.getrusage(resource.RUSAGE_SELF)
    print(f"# CPU seconds: user {end.ru_utime - start.ru_utime:.1f}, system {end.ru_stime - start.ru_stime:.1f}; "
          f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
