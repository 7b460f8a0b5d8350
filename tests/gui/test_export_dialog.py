"""ExportDialog: runs a real export of a tiny run in its worker thread, shows the report
table and the float32-vs-int8 comparison; the mask disagreement view marks differing pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.export.pipeline import ExportOptions
from core.training.api import train
from core.runs.config import TrainConfig


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-run")
    summary = train(TrainConfig(task="mnist", engine="torch", epochs=1, demo_size=200,
                                batch_size=32, out=str(folder)))
    assert summary["status"] == "finished"
    return str(folder)


@pytest.fixture
def dialog(qtbot, isolated_settings, tiny_run):
    from gui.export.dialog import ExportDialog

    widget = ExportDialog(tiny_run)
    qtbot.addWidget(widget)
    yield widget
    widget.shutdown()
    assert not widget.is_exporting


def _table_text(table) -> list[list[str]]:
    return [[table.item(row, column).text() for column in range(table.columnCount())]
            for row in range(table.rowCount())]


def test_dialog_exports_and_shows_the_report_and_comparison(qtbot, dialog, tmp_path):
    assert dialog.int8_box.isChecked() and dialog.out_edit.text().endswith("model.int8.onnx")
    out = tmp_path / "digits.int8.onnx"
    stages = []
    with qtbot.waitSignal(dialog.comparison_shown, timeout=180_000):
        dialog.start_export(ExportOptions(quantize="int8", calib=8, repeats=1, eval_limit=30, out=str(out)))
        dialog.job.progress.connect(lambda stage, message: stages.append(stage))
        assert dialog.is_exporting and not dialog.export_button.isEnabled()
    assert out.is_file() and (tmp_path / "digits.onnx").is_file()
    assert stages[-1] == "save" and "quantize" in stages
    assert dialog.export_button.isEnabled() and dialog.progress.value() == dialog.progress.maximum()

    rows = {row[0].split(",")[0].split(" (")[0]: row for row in _table_text(dialog.table)}
    assert rows["File size"][4].endswith("x smaller")
    latency = rows["Latency 28x28"]
    assert float(latency[2]) > 0 and float(latency[3]) > 0
    accuracy = rows["Accuracy"]
    assert float(accuracy[2]) == pytest.approx(dialog.report["metrics"]["fp32"]["accuracy"], abs=1e-4)
    assert float(accuracy[3]) == pytest.approx(dialog.report["metrics"]["int8"]["accuracy"], abs=1e-4)
    assert rows["Calibration"][3] == "8 train images"

    view = dialog.disagreement
    assert view.pages.currentWidget() is view.charts  # classification: two bar charts
    assert len(view.float_chart.probabilities) == 10
    np.testing.assert_allclose(np.sum(view.int8_chart.probabilities), 1.0, atol=1e-4)
    assert "predict" in view.caption.text() or "disagree" in view.caption.text()
    entries = dialog.report["changed_predictions"]["images"]
    assert len(entries) == dialog.report["heldout"]["images"] == view.entry_list.count()
    assert entries[0]["id"] in view.caption.text()       # the first held-out image, named
    assert entries[0]["id"] in view.entry_list.item(0).text()
    with qtbot.waitSignal(dialog.comparison_shown, timeout=30_000):
        view.entry_list.setCurrentRow(2)                 # picking a listed image compares it
    assert entries[2]["id"] in view.caption.text()
    assert f"true label <b>{entries[2]['label']}</b>" in view.caption.text()  # MNIST names are digits

    blank = np.zeros((28, 28), np.uint8)
    with qtbot.waitSignal(dialog.comparison_shown, timeout=30_000):
        dialog.set_image(blank)
    assert dialog.image is not None and dialog.image.shape == (28, 28)


def test_cancel_leaves_no_files(qtbot, dialog, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    dialog.start_export(ExportOptions(quantize="int8", calib=8, repeats=1, eval_limit=30,
                                      out=str(folder / "cancelled.onnx")))
    dialog.cancel_export()
    assert dialog.job.wait(60_000)
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=10_000)
    assert "Cancelled" in dialog.stage_label.text() and dialog.report is None
    assert list(folder.iterdir()) == []


def test_mask_disagreement_marks_exactly_the_differing_pixels(qtbot):
    from gui.export.disagreement import FLOAT_ONLY, INT8_ONLY, DisagreementView, disagreement_image

    image = np.full((20, 30, 3), 100, np.uint8)
    float_probabilities = np.zeros((20, 30), np.float32)
    int8_probabilities = np.zeros((20, 30), np.float32)
    float_probabilities[5:10, 5:10] = 0.9
    int8_probabilities[5:10, 5:12] = 0.8     # int8 sees 10 more object pixels
    int8_probabilities[5, 5] = 0.2           # and loses one
    view = DisagreementView()
    qtbot.addWidget(view)
    view.show_masks(image, float_probabilities, int8_probabilities)
    assert view.changed_pixels == 11
    assert "11 pixels" in view.caption.text()
    composite = disagreement_image(image, float_probabilities >= 0.5, int8_probabilities >= 0.5)
    np.testing.assert_array_equal(view.composite, composite)
    assert tuple(composite[5, 5]) == FLOAT_ONLY and tuple(composite[6, 11]) == INT8_ONLY
    assert tuple(composite[0, 0]) == (55, 55, 55)  # untouched pixels are only dimmed


def test_a_bad_run_shows_the_error_in_one_line(qtbot, isolated_settings, tmp_path):
    from gui.export.dialog import ExportDialog

    missing = tmp_path / "no-such-run"
    widget = ExportDialog(str(missing))
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.export_failed, timeout=30_000) as blocker:
        widget.start_export()
    widget.shutdown()
    assert blocker.args[0] == f"{missing}: run directory does not exist"
    assert widget.stage_label.text() == f"Failed: {missing}: run directory does not exist"
    assert widget.export_button.isEnabled() and widget.table.rowCount() == 0


def _fake_entries() -> list[dict]:
    """Five scored images; int8 changed the class of the second and the fourth."""
    return [{"index": 10, "id": "test/00010", "label": 0, "fp32": 0, "int8": 0},
            {"index": 11, "id": "test/00011", "label": 1, "fp32": 1, "int8": 2},
            {"index": 12, "id": "test/00012", "label": 2, "fp32": 2, "int8": 2},
            {"index": 13, "id": "test/00013", "label": 0, "fp32": 2, "int8": 1},
            {"index": 14, "id": "test/00014", "label": 1, "fp32": 1, "int8": 1}]


def test_classification_view_names_images_and_jumps_to_the_changed_ones(qtbot):
    from gui.export.disagreement import DisagreementView

    names = ["cat", "dog", "bird"]
    view = DisagreementView()
    qtbot.addWidget(view)
    view.set_entries(_fake_entries(), names)
    texts = [view.entry_list.item(row).text() for row in range(view.entry_list.count())]
    assert len(texts) == 5
    assert "test/00011" in texts[1] and "true dog" in texts[1]
    assert "float32 dog" in texts[1] and "int8 bird" in texts[1]
    assert "test/00013" in texts[3] and "true cat" in texts[3]
    assert "2 of 5" in view.changed_count.text()

    view.changed_only.setChecked(True)
    assert view.visible_rows() == [1, 3]
    view.changed_only.setChecked(False)
    assert view.visible_rows() == [0, 1, 2, 3, 4]

    chosen = []
    view.entry_chosen.connect(lambda entry: chosen.append(entry["id"]))
    for _ in range(3):
        qtbot.mouseClick(view.next_changed, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.previous_changed, Qt.MouseButton.LeftButton)
    assert chosen == ["test/00011", "test/00013", "test/00011", "test/00013"]  # wraps around

    view.show_probabilities(np.array([0.1, 0.7, 0.2]), np.array([0.1, 0.3, 0.6]), names,
                            true_label=1, item_id="test/00011")
    caption = view.caption.text()
    assert "test/00011" in caption and "true label <b>dog</b>" in caption and "disagree" in caption


def test_no_entries_hides_the_list(qtbot):
    from gui.export.disagreement import DisagreementView

    view = DisagreementView()
    qtbot.addWidget(view)
    view.set_entries(_fake_entries(), ["cat", "dog", "bird"])
    view.set_entries([], [])
    assert view.entry_list.count() == 0 and view.entry_panel.isHidden()
