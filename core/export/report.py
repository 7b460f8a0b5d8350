"""The sections of the export report, each measured on the same held-out images in one run.

    metrics:     the task metric (accuracy, or dice and iou) for fp32 and int8, the
                 difference, and the share of predictions (images or pixels) that changed
                 (classification: with each image's index, id, label and both predictions)
    runtimes:    one row per runtime x precision available here (torch eager, ONNX Runtime
                 fp32/int8, OpenVINO f32/bf16/int8): file size, latency (median and
                 quartiles, each runtime timed alone) at the working size and, for masks,
                 at 640x960 the way the predictor runs it, task metric, change against
                 float, largest probability difference, and whether it may be recommended
    recommendation: the fastest accepted row (saved beside the export as <name>.runtime.json)
    latency_ms:  the same medians in the older torch / ONNX fp32 / ONNX int8 layout
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from core.export import measure, recommend
from core.export.compare import Candidate, ForwardPredictor, measure_runtimes


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
    if kind == "classification":
        result["changed_predictions"]["images"] = per_image(heldout, fp32_decisions, int8_decisions)
    return result


def per_image(heldout: measure.HeldOut, fp32_decisions, int8_decisions) -> list[dict[str, Any]]:
    """Each scored image's dataset index, item id, true class and both predicted classes, so
    the GUI can name the images and jump to those whose class changed."""
    ids = heldout.item_ids or [str(int(index)) for index in heldout.indices]
    return [{"index": int(index), "id": item_id, "label": int(label), "fp32": int(a), "int8": int(b)}
            for index, item_id, label, a, b in zip(heldout.indices, ids, heldout.targets,
                                                   fp32_decisions, int8_decisions)]


def runtime_table(source, options, heldout: measure.HeldOut, large_image: np.ndarray | None,
                  built: dict[str, Path], names: dict[str, str], fp32, int8) -> dict[str, Any]:
    """Measure every runtime, judge each against float, and pick the recommended one.

    ``built``: file key -> the file as built (sizes); ``names``: file key -> its final name."""
    candidates = _candidates(source, options, built, names, fp32, int8)
    rows = measure_runtimes(candidates, heldout, source.kind,
                            _sizes(source, heldout, large_image, options), options.threads)
    reference = rows[0]
    for row in rows:
        path = built.get(row.pop("file_key", None) or "", source.weights_path)
        row["size_bytes"] = path.stat().st_size
        if "error" not in row:
            row["speedup_vs_onnxruntime_fp32"] = (reference["latency_ms"]["working"]["median"]
                                                  / row["latency_ms"]["working"]["median"])
        row["accepted"], row["reason"] = recommend.judge(row, reference, source.kind, len(heldout.inputs))
    return {"runtimes": rows, "recommendation": _recommendation(source, options, heldout, rows),
            "latency_ms": _legacy_latency(rows)}


def _candidates(source, options, built, names, fp32, int8) -> list[Candidate]:
    """ONNX Runtime fp32 first (the reference), then every other runtime x precision."""
    rows = [Candidate("onnx_fp32", "onnxruntime", "fp32", fp32, names["onnx_fp32"],
                      extra={"file_key": "onnx_fp32"})]
    if int8 is not None:
        rows.append(Candidate("onnx_int8", "onnxruntime", "int8", int8, names["onnx_int8"],
                              extra={"file_key": "onnx_int8"}))
    rows.extend(_openvino_candidates(options, built, names))
    torch_forward = _torch_forward(source.torch_model)
    label = "torch_eager" if source.engine == "torch" else "torch_twin"
    rows.append(Candidate(label, "torch", "fp32", ForwardPredictor(torch_forward, "torch", fp32)))
    if source.engine == "numpy":
        rows.append(Candidate("numpy_engine", "numpy", "fp32",
                              ForwardPredictor(source.reference, "numpy", fp32)))
    return rows


def _openvino_candidates(options, built, names) -> list[Candidate]:
    """OpenVINO f32 on the fp32 file, int8 on the int8 file, and bf16 only where the CPU
    lists BF16 (the accuracy check then decides whether it may be recommended)."""
    try:
        from core.export.openvino_predictor import OpenVinoPredictor, cpu_capabilities

        capabilities = cpu_capabilities()
    except ImportError:
        return [Candidate("openvino", "openvino", "fp32", None, error="OpenVINO is not installed")]
    hints = ["f32"] + (["bf16"] if "BF16" in capabilities else [])
    rows = []
    for key, precision in (("onnx_fp32", "fp32"), ("onnx_int8", "int8")):
        if key not in built:
            continue
        for hint in hints:
            name = f"openvino_{precision if hint == 'f32' else precision + '_bf16'}"
            if precision == "fp32" and hint == "bf16":
                name = "openvino_bf16"
            try:
                predictor = OpenVinoPredictor(built[key], threads=options.threads, precision_hint=hint)
                rows.append(Candidate(name, "openvino", precision, predictor, names[key], hint,
                                      extra={"file_key": key}))
            except Exception as error:  # noqa: BLE001 - shown in the report, never fatal
                rows.append(Candidate(name, "openvino", precision, None, names[key], hint,
                                      error=str(error), extra={"file_key": key}))
    return rows


def _torch_forward(model):
    def forward(batch: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return model(torch.from_numpy(np.ascontiguousarray(batch))).float().numpy()
    return forward


def _sizes(source, heldout: measure.HeldOut, large_image: np.ndarray | None, options) -> dict:
    """Working size: the forward pass on one preprocessed held-out image. 640x960 (masks):
    ``predict`` on a real held-out image stretched to 640x960, which the predictor reduces
    to the working size, runs whole, or tiles, as it would for a user."""
    working = heldout.inputs[0][None]                                  # (1, C, H, W)
    sizes = {"working": (lambda predictor: lambda: predictor.logits(working),
                         list(working.shape[1:]), options.repeats)}
    if source.kind == "segmentation" and large_image is not None:
        sizes["640x960"] = (lambda predictor: lambda: predictor.predict(large_image),
                            [working.shape[1], *large_image.shape[:2]], options.large_repeats)
    return sizes


def large_image(image: np.ndarray) -> np.ndarray:
    """A real held-out image stretched to 640x960 (latency does not depend on content)."""
    import cv2

    height, width = measure.LARGE_SIZE
    return cv2.resize(np.asarray(image), (width, height), interpolation=cv2.INTER_LINEAR)


def how_large_runs(source, predictor) -> str:
    """How the predictor runs a 640x960 image, for the report."""
    size = source.preprocess.size
    if size is not None:
        return f"reduced to the working size {size[0]}x{size[1]} and the mask resized back"
    if max(measure.LARGE_SIZE) > predictor.tile_size:
        return f"in overlapping {predictor.tile_size}-pixel tiles"
    return "whole, at full resolution"


def _recommendation(source, options, heldout, rows: list[dict[str, Any]]) -> dict[str, Any]:
    metric, allowed = recommend.tolerance(source.kind, len(heldout.inputs))
    choice = recommend.recommend(rows)
    per_file: dict[str, dict[str, Any]] = {}
    for row in sorted((row for row in rows if row["accepted"]),
                      key=lambda row: row["latency_ms"]["working"]["median"]):
        per_file.setdefault(row["file"], _compact(row))
    return {"recommended": _compact(choice) if choice else None,
            "text": recommend.describe(choice) if choice else "none: no exported runtime passed",
            "per_file": per_file, "threads": options.threads,
            "tolerance": {"metric": metric, "max_drop": allowed},
            "rejected": [{"name": row["name"], "reason": row["reason"]} for row in rows
                         if not row["accepted"]],
            "weights": recommend.weights_fingerprint(source.weights_path)}


def _compact(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "runtime", "precision", "precision_hint", "file", "latency_ms",
            "speedup_vs_onnxruntime_fp32", "metrics", "change", "max_abs_diff")
    return {key: row[key] for key in keys if key in row}


def _legacy_latency(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """{size: {input, <row name>: median ms, ..., speedups}} as earlier reports had it."""
    table: dict[str, Any] = {}
    timed = [row for row in rows if "latency_ms" in row]
    for label in (timed[0]["latency_ms"] if timed else {}):
        entry: dict[str, Any] = {"input": timed[0]["latency_ms"][label]["input"]}
        entry.update({row["name"]: row["latency_ms"][label]["median"] for row in timed})
        torch = entry.get("torch_eager", entry.get("torch_twin"))
        if torch:
            entry["speedup_fp32_vs_torch"] = torch / entry["onnx_fp32"]
        if "onnx_int8" in entry:
            entry["speedup_int8_vs_fp32"] = entry["onnx_fp32"] / entry["onnx_int8"]
            if torch:
                entry["speedup_int8_vs_torch"] = torch / entry["onnx_int8"]
        table[label] = entry
    return table
