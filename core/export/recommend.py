"""The runtime an export recommends, saved beside it as ``<name>.runtime.json``.

    accepted, reason = judge(row, reference_row, kind, images)
    choice = recommend(rows)               # fastest accepted row at the working size

A row is one runtime x precision measured by the export report (latency, task
metric, change against ONNX Runtime fp32). Only exported runtimes are
recommended (torch eager is measured as the baseline: it needs the run and
torch). A row whose task metric drops beyond the tolerance against float is not
recommended, and the reason is kept so the report can show it. The saved file
records the weights it was measured on (name and SHA-256), so a run that kept
training does not pick up an export of older weights.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from core.atomic import atomic_write_json

DICE_TOLERANCE = 0.01        # Dice drop against float allowed for a recommended runtime
ACCURACY_TOLERANCE = 0.005   # accuracy drop (0.5 points) ... or one image on a small set
RUNTIME_NAMES = {"onnxruntime": "ONNX Runtime", "openvino": "OpenVINO", "torch": "torch eager",
                 "numpy": "NumPy engine"}
SUFFIX = ".runtime.json"


def tolerance(kind: str, images: int) -> tuple[str, float]:
    """(metric, allowed drop): Dice 0.01 for masks; accuracy 0.5 points, but never less than
    one image's worth, or a small held-out set would reject every int8 model."""
    if kind == "classification":
        return "accuracy", max(ACCURACY_TOLERANCE, 1.0 / max(images, 1))
    return "dice", DICE_TOLERANCE


def judge(row: dict[str, Any], reference: dict[str, Any], kind: str, images: int) -> tuple[bool, str]:
    """(accepted, reason): may ``row`` be recommended, and if not, why (one line)."""
    if row["runtime"] not in ("onnxruntime", "openvino"):
        return False, "baseline: runs from the run directory with torch, not from the export"
    if "error" in row:
        return False, row["error"]
    metric, allowed = tolerance(kind, images)
    drop = reference["metrics"][metric] - row["metrics"][metric]
    if drop > allowed + 1e-9:  # exactly the tolerance is within it
        return False, (f"{metric} drops {drop:.4f} against ONNX Runtime fp32 "
                       f"(tolerance {allowed:.4f} on {images} images)")
    return True, ""


def recommend(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The accepted row with the lowest median latency at the working size, or None."""
    accepted = [row for row in rows if row.get("accepted")]
    if not accepted:
        return None
    return min(accepted, key=lambda row: row["latency_ms"]["working"]["median"])


def describe(choice: dict[str, Any]) -> str:
    """One line for the status bar: 'OpenVINO int8 · 4.6 ms/image at 128x192, 6.1x ONNX Runtime fp32'."""
    name = f"{RUNTIME_NAMES.get(choice['runtime'], choice['runtime'])} {choice.get('precision', '')}".strip()
    if choice.get("precision_hint") == "bf16":
        name += " (bf16)"
    working = choice.get("latency_ms", {}).get("working")
    if not working:
        return name
    height, width = working["input"][-2:]
    text = f"{name} · {_ms(working['median'])} ms/image at {height}x{width}"
    speedup = choice.get("speedup_vs_onnxruntime_fp32")
    return f"{text}, {speedup:.1f}x ONNX Runtime fp32" if speedup else text


def weights_fingerprint(path: Path) -> dict[str, str]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"file": path.name, "sha256": digest.hexdigest()}


def save(path: Path, content: dict[str, Any]) -> None:
    atomic_write_json(path, content)


def path_for_report(report_path: Path) -> Path:
    """``cars.report.json`` -> ``cars.runtime.json``."""
    name = report_path.name
    stem = name[:-len(".report.json")] if name.endswith(".report.json") else report_path.stem
    return report_path.with_name(stem + SUFFIX)


def read_for_model(model_path: Path) -> dict[str, Any] | None:
    """The best accepted row measured for this exported file, or None."""
    for content in _saved(model_path.parent):
        row = content.get("per_file", {}).get(model_path.name)
        if row:
            return row
    return None


def read_for_run(run_dir: Path, weights: str) -> dict[str, Any] | None:
    """The recommendation of the newest export in ``run_dir`` made from the run's current
    ``weights`` file (same SHA-256), or None."""
    for content in _saved(run_dir):
        measured = content.get("weights", {})
        current = run_dir / measured.get("file", "")
        if not measured.get("file", "").startswith(f"{weights}.") or not current.is_file():
            continue
        recommended = content.get("recommended")
        if recommended and weights_fingerprint(current)["sha256"] == measured.get("sha256") \
                and (run_dir / recommended["file"]).is_file():
            return recommended
    return None


def _saved(folder: Path) -> list[dict[str, Any]]:
    """Every readable ``*.runtime.json`` in ``folder``, newest first (a broken one is skipped)."""
    paths = sorted(folder.glob(f"*{SUFFIX}"), key=lambda path: path.stat().st_mtime, reverse=True)
    contents = []
    for path in paths:
        try:
            content = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(content, dict):
            contents.append(content)
    return contents


def _ms(value: float) -> str:
    return f"{value:.3g}" if value < 10 else f"{value:.0f}"
