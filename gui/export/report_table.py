"""The export report as a table: one row per measure, one column per engine.

    Measure              | torch eager | ONNX float32 | ONNX int8 | int8 vs float32
    File size            | 1.2 MB      | 1.1 MB       | 290 kB    | 3.8x smaller
    Latency 3x640x960    | 890 ms      | 320 ms       | 150 ms    | 2.1x faster
    Dice                 |             | 0.912        | 0.909     | -0.003
    OpenVINO latency ... |             | 250 ms       | 41 ms     | 6.1x faster
    Recommended runtime  |             |              |           | OpenVINO int8 · 41 ms/image ...

The "ONNX" columns are the exported files; a runtime row says which runtime ran
them (ONNX Runtime, the reference, unless named).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

COLUMNS = ("Measure", "torch eager", "ONNX float32", "ONNX int8", "int8 vs float32")
Row = tuple[str, str, str, str, str]


def report_rows(report: dict[str, Any]) -> list[Row]:
    """Plain strings for every row of the table (kept apart from Qt so it is easy to test)."""
    rows = [_size_row(report)]
    for label, latency in _by_size(report):
        rows.append(_latency_row(label, latency))
    rows.extend(_openvino_rows(report))
    rows.extend(_metric_rows(report))
    changed = report.get("changed_predictions")
    if changed:
        rows.append(("Changed predictions", "", "", f"{changed['share']:.2%} of {changed['of']}", ""))
    check = report.get("check", {})
    if check:
        verdict = "check passed" if check.get("passed") else "check FAILED"
        rows.append((f"Max |diff| vs {check.get('reference', 'torch')} ({check.get('images', 0)} images)",
                     "", f"{check.get('max_abs_diff', 0):.2g}", "", verdict))
    recommendation = report.get("recommendation")
    if recommendation:
        rows.append(("Recommended runtime", "", "", "", recommendation.get("text", "")))
        rows.extend((f"Not recommended: {item['name']}", "", "", "", item["reason"])
                    for item in recommendation.get("rejected", [])
                    if not item["reason"].startswith("baseline"))
    calibration = report.get("calibration")
    if calibration:
        rows.append(("Calibration", "", "", f"{calibration['images']} {calibration['split']} images",
                     f"{calibration['method']} {calibration['format']}"))
    return rows


def _size_row(report: dict[str, Any]) -> Row:
    sizes = report.get("size_bytes", {})
    ratio = sizes.get("ratio_fp32_over_int8")
    return ("File size", _bytes(sizes.get("weights")), _bytes(sizes.get("onnx_fp32")),
            _bytes(sizes.get("onnx_int8")), _ratio(ratio, "smaller", "larger"))


def _latency_row(label: str, latency: dict[str, Any]) -> Row:
    height, width = latency.get("input", [0, 0, 0])[1:]
    return (f"Latency {height}x{width} (ms/image)", _ms(latency.get("torch_eager")),
            _ms(latency.get("onnx_fp32")), _ms(latency.get("onnx_int8")),
            _ratio(latency.get("speedup_int8_vs_fp32"), "faster", "slower"))


def _openvino_rows(report: dict[str, Any]) -> list[Row]:
    """OpenVINO's latency on the same files, one row per size (f32 precision hint)."""
    rows = []
    for label, latency in _by_size(report):
        fp32, int8 = latency.get("openvino_fp32"), latency.get("openvino_int8")
        if fp32 is None and int8 is None:
            continue
        height, width = latency.get("input", [0, 0, 0])[1:]
        rows.append((f"OpenVINO latency {height}x{width} (ms/image)", "", _ms(fp32), _ms(int8),
                     _ratio(fp32 / int8 if fp32 and int8 else None, "faster", "slower")))
    return rows


def _by_size(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Latency entries, the working size first (saved reports have their keys sorted)."""
    entries = report.get("latency_ms", {}).items()
    return sorted(entries, key=lambda entry: int(np.prod(entry[1].get("input", [0]))))


def _metric_rows(report: dict[str, Any]) -> list[Row]:
    metrics = report.get("metrics", {})
    int8, difference = metrics.get("int8", {}), metrics.get("difference", {})
    heldout = report.get("heldout", {})
    rows = []
    for name, value in metrics.get("fp32", {}).items():
        label = "IoU" if name == "iou" else name.capitalize()
        rows.append((f"{label} ({heldout.get('images', '?')} {heldout.get('split', 'held-out')})",
                     "", f"{value:.4f}", f"{int8[name]:.4f}" if name in int8 else "",
                     f"{difference[name]:+.4f}" if name in difference else ""))
    return rows


def _ratio(value: float | None, better: str, worse: str) -> str:
    if not value:
        return ""
    return f"{value:.1f}x {better}" if value >= 1 else f"{1 / value:.1f}x {worse}"


def _bytes(value: float | None) -> str:
    if value is None:
        return ""
    for unit in ("B", "kB", "MB"):
        if value < 1000 or unit == "MB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return ""


def _ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.3g}" if value < 10 else f"{value:.0f}"


class ReportTable(QTableWidget):
    """Read-only table of an export report; ``set_report(None)`` clears it."""

    def __init__(self, parent=None):
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def set_report(self, report: dict[str, Any] | None) -> None:
        rows = report_rows(report) if report else []
        self.setRowCount(len(rows))
        for row_index, row in enumerate(rows):
            for column, text in enumerate(row):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row_index, column, item)
