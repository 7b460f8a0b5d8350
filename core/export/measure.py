"""Measurements for the export report: latency per image and the task metric.

Latency is the median (with quartiles) of single-image calls, each runtime
timed alone (``time_alone``) on the same thread count, so the ratios compare
runtimes, not thread pools fighting over the cores.
"""

from __future__ import annotations

import contextlib
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from core.data.base import Dataset
from core.preprocess import Preprocess

LARGE_SIZE = (640, 960)  # (H, W): the Carvana-like size at which U-Net latency is also reported


def median_latency_ms(calls: dict[str, Callable[[], object]], repeats: int,
                      warmup: int = 1) -> dict[str, float]:
    """Median ms per call of each engine. Calls are interleaved (a, b, c, a, b, c, ...) so a
    neighbour's load burst on a shared CPU hits every engine alike and the ratios stay fair."""
    for call in calls.values():
        for _ in range(warmup):
            call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(max(1, repeats)):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(values) * 1000.0) for name, values in times.items()}


def time_alone(calls: dict[str, Callable[[], object]], repeats: int, rounds: int = 3,
               settle_s: float = 0.2) -> dict[str, dict[str, float]]:
    """{name: {median, q1, q3, samples}} in ms per call, each runtime timed ALONE.

    A runtime's thread pool keeps spinning for a while after its call returns (OpenMP in
    torch, ONNX Runtime's pool, OpenBLAS in the NumPy engine, TBB in OpenVINO); a
    neighbour timed in that window shares the cores with the spinners. So each runtime
    runs a block of calls after ``settle_s`` of quiet and one untimed warm-up call, and
    the blocks take turns over ``rounds`` rounds, so a load burst from other processes on
    a shared machine is spread over every runtime rather than landing on one.
    """
    rounds = max(1, min(rounds, repeats))
    per_round = max(1, -(-max(1, repeats) // rounds))
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            time.sleep(settle_s)
            call()
            for _ in range(per_round):
                start = time.perf_counter()
                call()
                times[name].append(time.perf_counter() - start)
    return {name: _summary(values) for name, values in times.items()}


def _summary(seconds: list[float]) -> dict[str, float]:
    q1, median, q3 = np.percentile(np.asarray(seconds) * 1000.0, [25, 50, 75])
    return {"median": float(median), "q1": float(q1), "q3": float(q3), "samples": len(seconds)}


@contextlib.contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """torch.set_num_threads for the duration, restored afterwards (the GUI shares the process)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@dataclass
class HeldOut:
    """Preprocessed held-out images at the model's working size, with their targets."""

    split: str
    indices: np.ndarray
    inputs: list[np.ndarray]        # float32 (C, H, W) each
    targets: list                   # class index, or bool (H, W) mask at the input's size
    item_ids: list[str] = field(default_factory=list)  # dataset item id of each image


def heldout_split(dataset: Dataset) -> str:
    """The split the report scores: test when the dataset has one, else val."""
    for split in ("test", "val"):
        if len(dataset.splits.get(split, ())) > 0:
            return split
    raise ValueError("the dataset has no test or val split to measure on")


def heldout_indices(dataset: Dataset) -> np.ndarray:
    """Dataset indices of the held-out split (test, else val); empty when there is none."""
    try:
        return np.asarray(dataset.splits[heldout_split(dataset)], np.int64)
    except ValueError:
        return np.arange(0, dtype=np.int64)


def load_heldout(dataset: Dataset, preprocess: Preprocess, limit: int, seed: int = 0) -> HeldOut:
    import cv2

    split = heldout_split(dataset)
    indices = np.asarray(dataset.splits[split], np.int64)
    if len(indices) > limit:
        indices = np.sort(np.random.default_rng(seed).choice(indices, size=limit, replace=False))
    inputs, targets, item_ids = [], [], []
    for index in indices:
        sample = dataset[int(index)]
        chw = preprocess(sample.image)                                 # (C, H, W)
        inputs.append(chw)
        item_ids.append(str(sample.item_id))
        if dataset.kind == "classification":
            targets.append(int(sample.target))
        else:
            mask = np.asarray(sample.target, np.uint8)
            if mask.shape != chw.shape[1:]:
                mask = cv2.resize(mask, (chw.shape[2], chw.shape[1]), interpolation=cv2.INTER_NEAREST)
            targets.append(mask != 0)
    return HeldOut(split, indices, inputs, targets, item_ids)


def predict_all(forward: Callable[[np.ndarray], np.ndarray], heldout: HeldOut, kind: str,
                batch_size: int = 128) -> list[np.ndarray]:
    """Logits for every held-out input: classification in batches, masks one at a time."""
    if kind != "classification":
        return [forward(chw[None])[0] for chw in heldout.inputs]       # (K, H, W) each
    outputs = []
    for start in range(0, len(heldout.inputs), batch_size):
        outputs.extend(forward(np.stack(heldout.inputs[start:start + batch_size])))
    return outputs


def decisions(logits: list[np.ndarray], kind: str) -> list[np.ndarray]:
    """Class index per image, or bool foreground mask per image (logit >= 0 is p >= 0.5)."""
    if kind == "classification":
        return [np.asarray(int(np.argmax(values))) for values in logits]
    return [values.argmax(axis=0) != 0 if values.shape[0] > 1 else values[0] >= 0 for values in logits]


def task_metrics(predicted: list[np.ndarray], heldout: HeldOut, kind: str) -> dict[str, float]:
    from core.training.metrics import dice, iou

    if kind == "classification":
        hits = [int(p) == t for p, t in zip(predicted, heldout.targets)]
        return {"accuracy": float(np.mean(hits))}
    return {"dice": float(np.mean([dice(p, t) for p, t in zip(predicted, heldout.targets)])),
            "iou": float(np.mean([iou(p, t) for p, t in zip(predicted, heldout.targets)]))}


def changed_share(first: list[np.ndarray], second: list[np.ndarray]) -> float:
    """Share of images (classification) or pixels (masks) whose decision differs."""
    changed = sum(int(np.count_nonzero(a != b)) for a, b in zip(first, second))
    total = sum(int(np.size(a)) for a in first)
    return changed / total if total else 0.0


def max_abs_difference(first: list[np.ndarray], second: list[np.ndarray]) -> float:
    return float(max(np.max(np.abs(np.asarray(a, np.float32) - np.asarray(b, np.float32)))
                     for a, b in zip(first, second)))


def cpu_name() -> str:
    """The CPU's model name, recorded beside timings (figures differ by CPU, not only by load)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"
