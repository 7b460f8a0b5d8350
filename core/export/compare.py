"""Every available runtime x precision, measured alike on this machine, for the export report.

    rows = measure_runtimes(candidates, heldout, sizes, kind, repeats)

Each candidate is a ``core.prediction.BasePredictor`` (torch eager and the NumPy
engine are wrapped in one, so they pay the same pre- and post-processing as the
exported runtimes). A row holds the task metric on the held-out images, its
change against ONNX Runtime fp32 (the reference), the largest probability
difference, and the median latency with its quartiles. Latency is measured
with each runtime ALONE (``measure.time_alone``): in an interleaved loop the
thread pools of torch, ONNX Runtime, OpenVINO and OpenBLAS keep spinning after
their call and steal the cores from the next runtime's call, which once made
int8 look slower than fp32 and a NumPy-run's torch twin look 400x slower than
it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from core.export import measure
from core.prediction import BasePredictor


@dataclass
class Candidate:
    name: str                         # "openvino int8"
    runtime: str                      # torch | numpy | onnxruntime | openvino
    precision: str                    # fp32 | int8
    predictor: BasePredictor | None   # None when the runtime could not start (see error)
    file: str | None = None           # exported file name, for recommendable runtimes
    precision_hint: str | None = None
    error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class ForwardPredictor(BasePredictor):
    """A BasePredictor around any forward callable (torch eager, the NumPy engine)."""

    def __init__(self, forward: Callable[[np.ndarray], np.ndarray], runtime: str, reference: BasePredictor):
        super().__init__(kind=reference.kind, task=reference.task, class_names=reference.class_names,
                         preprocess=reference.preprocess, model_name=reference.model_name)
        self.runtime, self._forward = runtime, forward

    def forward(self, batch: np.ndarray) -> np.ndarray:
        return self._forward(batch)


def score(candidate: Candidate, heldout: measure.HeldOut, kind: str,
          reference: list[np.ndarray] | None) -> tuple[dict[str, Any], list[np.ndarray]]:
    """({metrics, change, max_abs_diff}, probabilities) of one candidate on the held-out images."""
    logits = measure.predict_all(candidate.predictor.logits, heldout, kind)
    metrics = measure.task_metrics(measure.decisions(logits, kind), heldout, kind)
    probabilities = [_probabilities(values) for values in logits]
    row: dict[str, Any] = {"metrics": metrics}
    if reference is not None:
        row["max_abs_diff"] = measure.max_abs_difference(reference, probabilities)
    return row, probabilities


def measure_runtimes(candidates: list[Candidate], heldout: measure.HeldOut, kind: str,
                     sizes: dict[str, tuple[Callable[[BasePredictor], Callable[[], object]], list[int], int]],
                     threads: int) -> list[dict[str, Any]]:
    """One row per candidate. ``sizes``: label -> (call maker, input shape, repeats); the first
    candidate that ran is the reference (ONNX Runtime fp32) for changes and differences."""
    rows, reference_row, reference = [], None, None
    for candidate in candidates:
        row = {"name": candidate.name, "runtime": candidate.runtime, "precision": candidate.precision,
               "precision_hint": candidate.precision_hint, "file": candidate.file, **candidate.extra}
        if candidate.predictor is None:
            rows.append({**row, "error": candidate.error})
            continue
        scored, probabilities = score(candidate, heldout, kind, reference)
        row.update(scored)
        if reference is None:
            reference, reference_row = probabilities, row
            row["max_abs_diff"] = 0.0
        row["change"] = {name: value - reference_row["metrics"][name]
                         for name, value in row["metrics"].items()}
        rows.append(row)
    ran = [(row, candidate) for row, candidate in zip(rows, candidates) if candidate.predictor is not None]
    with measure.torch_threads(threads):
        for label, (make_call, shape, repeats) in sizes.items():
            calls = {row["name"]: make_call(candidate.predictor) for row, candidate in ran}
            timings = measure.time_alone(calls, repeats)
            for row, _ in ran:
                row.setdefault("latency_ms", {})[label] = {"input": list(shape), **timings[row["name"]]}
    return rows


def _probabilities(logits: np.ndarray) -> np.ndarray:
    from core.postprocess import to_probabilities

    return to_probabilities(np.asarray(logits)[None])[0]
