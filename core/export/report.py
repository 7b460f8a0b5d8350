"""The sections of the export report, each measured on the same held-out images in one run.

    metrics:  the task metric (accuracy, or dice and iou) for fp32 and int8, the
              difference, and the share of predictions (images or pixels) that changed
    latency:  median ms per image for torch eager, ONNX fp32, ONNX int8 at the
              working size, and at 640x960 for segmentation models
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.export import measure


def describe(source, options, heldout: measure.HeldOut) -> dict[str, Any]:
    return {"run": str(source.run_dir), "model": source.model_name, "engine": source.engine,
            "task": source.task, "kind": source.kind, "format": options.format,
            "quantize": options.quantize, "weights": source.weights_path.name,
            "heldout": {"split": heldout.split, "images": len(heldout.inputs)}}


def metric_table(source, heldout: measure.HeldOut, fp32, int8) -> dict[str, Any]:
    kind = source.kind
    fp32_decisions = measure.decisions(measure.predict_all(fp32.logits, heldout, kind), kind)
    metrics: dict[str, Any] = {"fp32": measure.task_metrics(fp32_decisions, heldout, kind)}
    result: dict[str, Any] = {"metrics": metrics}
    if int8 is None:
        return result
    int8_decisions = measure.decisions(measure.predict_all(int8.logits, heldout, kind), kind)
    metrics["int8"] = measure.task_metrics(int8_decisions, heldout, kind)
    metrics["difference"] = {name: metrics["int8"][name] - value
                             for name, value in metrics["fp32"].items()}
    result["changed_predictions"] = {
        "share": measure.changed_share(fp32_decisions, int8_decisions),
        "of": "images" if kind == "classification" else "pixels"}
    return result


def latency_table(source, options, heldout: measure.HeldOut, fp32, int8) -> dict[str, Any]:
    """Median latency per image (batch of one), torch and ORT on ``options.threads`` threads."""
    working = heldout.inputs[0][None]                                  # (1, C, H, W)
    sizes = {"working": (working, options.repeats)}
    if source.kind == "segmentation":
        sizes["640x960"] = (_large_input(working), options.large_repeats)
    table: dict[str, Any] = {}
    with measure.torch_threads(options.threads):
        for label, (batch, repeats) in sizes.items():
            table[label] = _time_engines(source, batch, repeats, fp32, int8)
    return {"latency_ms": table}


def _time_engines(source, batch: np.ndarray, repeats: int, fp32, int8) -> dict[str, Any]:
    import torch

    def torch_eager():
        with torch.inference_mode():
            source.torch_model(torch.from_numpy(batch))

    calls = {"torch_eager": torch_eager, "onnx_fp32": lambda: fp32.logits(batch)}
    if int8 is not None:
        calls["onnx_int8"] = lambda: int8.logits(batch)
    if source.engine == "numpy":  # torch_eager is then the NumPy net's torch twin
        calls["numpy_engine"] = lambda: source.reference(batch)
    row: dict[str, Any] = {"input": list(batch.shape[1:]),
                           **measure.median_latency_ms(calls, repeats)}
    row["speedup_fp32_vs_torch"] = row["torch_eager"] / row["onnx_fp32"]
    if int8 is not None:
        row["speedup_int8_vs_fp32"] = row["onnx_fp32"] / row["onnx_int8"]
        row["speedup_int8_vs_torch"] = row["torch_eager"] / row["onnx_int8"]
    return row


def _large_input(working: np.ndarray) -> np.ndarray:
    """A real held-out image stretched to 640x960 (latency does not depend on content)."""
    import cv2

    height, width = measure.LARGE_SIZE
    channels = [cv2.resize(channel, (width, height), interpolation=cv2.INTER_LINEAR)
                for channel in working[0]]
    return np.stack(channels)[None].astype(np.float32)                # (1, C, 640, 960)
