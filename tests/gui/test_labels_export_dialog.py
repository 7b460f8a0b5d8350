"""File > Export labels…: the dialog exports off the UI thread with progress, user masks winning."""

from __future__ import annotations

import numpy as np
import pytest

from core.annotation.storage import MaskStore
from core.data import open_dataset
from core.labels.export import EXPORT_FORMATS
from gui.labels_export import FORMATS, LabelsExportDialog
from tests.test_labels_roundtrip import blob_masks, write_folder_dataset

pytestmark = pytest.mark.gui


@pytest.fixture
def dataset(tmp_path):
    return open_dataset(write_folder_dataset(tmp_path / "shapes", blob_masks(6)))


def _dialog(qtbot, dataset, masks_dir, label_format: str, out) -> LabelsExportDialog:
    dialog = LabelsExportDialog(dataset, masks_dir)
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(label_format))
    dialog.out_edit.setText(str(out))
    dialog.show()
    return dialog


def test_dialog_offers_every_core_format():
    assert tuple(FORMATS) == EXPORT_FORMATS


def test_export_runs_with_progress_and_user_masks_win(qtbot, isolated_settings, tmp_path, dataset):
    corrected = np.zeros((40, 56), np.uint8)
    corrected[2:9, 3:20] = 2
    MaskStore(tmp_path / "user").save("item01", corrected, binary=False)
    dialog = _dialog(qtbot, dataset, tmp_path / "user", "voc", tmp_path / "voc")
    assert dialog.user_masks.isEnabled() and dialog.user_masks.isChecked()
    with qtbot.waitSignal(dialog.export_finished, timeout=20_000) as finished:
        dialog.export_button.click()
    assert finished.args[0]["items"] == 6 and finished.args[0]["user_masks"] == 1
    assert dialog.progress.value() == dialog.progress.maximum()
    assert "Wrote 6 images" in dialog.status.text() and dialog.export_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.job.is_running)
    back = open_dataset(tmp_path / "voc")
    masks = {back.item_id(i): back[i].target for i in range(len(back))}
    np.testing.assert_array_equal(masks["item01"], corrected)


def test_a_refused_export_says_why_in_the_dialog(qtbot, isolated_settings, tmp_path, dataset):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    dialog = _dialog(qtbot, dataset, tmp_path / "no-masks", "coco", tmp_path / "taken")
    assert not dialog.user_masks.isEnabled()
    with qtbot.waitSignal(dialog.export_failed, timeout=20_000) as failed:
        dialog.export_button.click()
    assert "not empty" in failed.args[0] and "Not exported" in dialog.status.text()
    qtbot.waitUntil(lambda: not dialog.job.is_running)
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["keep.txt"]


def test_file_menu_opens_the_dialog_for_the_current_dataset(open_main_window, tmp_path):
    window = open_main_window("carvana", demo_size=12)
    action = window.actions.export_labels
    assert action in window.menuBar().actions()[0].menu().actions()
    action.trigger()
    dialog = window.labels_export_dialog
    assert dialog.isVisible() and dialog.dataset is window.dataset
    dialog.close()
