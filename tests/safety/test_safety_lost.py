"""Nothing lost or mixed: injective mask names, non-ASCII overrides applied, unique predict
outputs, a journal that forgets what the user chose not to recover and keeps no fds open,
and exports that clean up after a killed one."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import numpy as np
import pytest

from core.annotation import Journal, MaskDocument, MaskStore, find_recoverable, recover, with_mask_overrides
from core.annotation.storage import mask_filename
from core.data.base import ArrayDataset
from core.export.pipeline import remove_stale_exports
from tests.safety import crafted
from tests.safety.cases import tiny_segmentation_run
from tests.safety.harness import run_main

HOSTILE_IDS = ["数据 1", "图像 1", "a/b", "a_b", "a:b", "a%3Ab", "a?b", ".x", "%2Ex", "x.", "x ", "x%20",
               "a\\b", "tab\tid", "Ünïcode", "img(1)", "img_1_", "x" * 300, "x" * 301]


def test_mask_file_names_are_injective_and_read_back(tmp_path):
    names = [mask_filename(item_id).as_posix() for item_id in HOSTILE_IDS]
    assert len(set(names)) == len(names), names
    store = MaskStore(tmp_path / "masks")
    for index, item_id in enumerate(HOSTILE_IDS):
        store.save(item_id, np.full((2, 3), index % 2, np.uint8), binary=True)
    saved = store.saved_ids()
    assert len(saved) == len(HOSTILE_IDS) and set(HOSTILE_IDS[:-2]) <= set(saved)  # the long two are hashed
    for index, item_id in enumerate(HOSTILE_IDS):
        np.testing.assert_array_equal(store.load(item_id, binary=True), np.full((2, 3), index % 2))


@pytest.mark.parametrize("item_id", ["../x", "a/../b", "", "a//b", "/a"])
def test_ids_that_cannot_name_a_file_are_refused(item_id):
    with pytest.raises(ValueError):
        mask_filename(item_id)


def test_non_ascii_masks_are_applied_by_training_overrides(tmp_path):
    ids = ["数据 1", "图像 1", "car 01"]
    images = [np.full((4, 4, 3), 10 * i, np.uint8) for i in range(3)]
    dataset = ArrayDataset(images, [np.zeros((4, 4), np.uint8)] * 3, "segmentation", "demo", "carvana",
                           ["background", "car"], ids=ids)
    store = MaskStore(tmp_path / "masks")
    for index, item_id in enumerate(ids):
        mask = np.zeros((4, 4), np.uint8)
        mask[index] = 1
        store.save(item_id, mask, binary=True)
    overridden = with_mask_overrides(dataset, tmp_path / "masks")
    assert overridden.overridden == {0, 1, 2}
    for index in range(3):
        assert overridden[index].target[index].all() and overridden[index].target.sum() == 4


def test_masks_saved_under_the_old_names_still_load(tmp_path):
    legacy = tmp_path / "masks" / "img_1_.png"  # "img(1)" before names became injective
    crafted.write_png(legacy, np.full((2, 2), 255, np.uint8))
    store = MaskStore(tmp_path / "masks")
    assert store.has_mask("img(1)")
    np.testing.assert_array_equal(store.load("img(1)", binary=True), np.ones((2, 2)))


def test_predict_never_writes_two_images_to_one_mask_file(tmp_path):
    run = tiny_segmentation_run(tmp_path)
    first = crafted.write_png(tmp_path / "a" / "x.png", np.zeros((16, 24, 3), np.uint8))
    second = crafted.write_png(tmp_path / "b" / "x.png", np.full((16, 24, 3), 255, np.uint8))
    outcome = run_main(["predict", "--run", run, first, second, "--out", tmp_path / "out"])
    assert outcome.code == 0, outcome.err
    written = {path: result["mask"] for path, result in json.loads(outcome.out).items()}
    assert len(set(written.values())) == 2 and sorted(p.name for p in (tmp_path / "out").iterdir()) == \
        ["x-2_mask.png", "x_mask.png"]


def _stroke(doc, point, value=1):
    doc.begin_stroke(value, 2)
    doc.extend_stroke(point)
    doc.end_stroke()


def test_edits_the_user_did_not_recover_never_come_back(tmp_path):
    saved = np.zeros((20, 20), np.uint8)
    crashed = MaskDocument("a", saved.copy(), recorder=Journal(tmp_path))
    _stroke(crashed, (5, 5))                      # session 1: edited, then killed (no save)
    assert find_recoverable(tmp_path) == ["a"]
    again = MaskDocument("a", saved.copy(), recorder=Journal(tmp_path))  # banner ignored
    _stroke(again, (15, 15))
    recovered = recover(tmp_path, "a")
    np.testing.assert_array_equal(recovered, again.mask)
    assert recovered[5, 5] == 0 and recovered[15, 15] == 1


def test_a_thousand_unsaved_images_do_not_exhaust_file_descriptors(tmp_path):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (128, hard))
    try:
        journal = Journal(tmp_path)
        for index in range(1100):
            _stroke(MaskDocument(f"im{index}", np.zeros((8, 8), np.uint8), recorder=journal), (4, 4))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert len(find_recoverable(tmp_path)) == 1100
    assert recover(tmp_path, "im1099")[4, 4] == 1


def test_stale_export_folders_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".export-{dead}-abc"
    live = tmp_path / f".export-{__import__('os').getpid()}-def"
    foreign = tmp_path / ".export-notours"
    for folder in (stale, live, foreign):
        (folder / "fp32.onnx").parent.mkdir()
        (folder / "fp32.onnx").write_bytes(b"half")
    remove_stale_exports(tmp_path)
    assert not stale.exists() and live.exists() and foreign.exists()
