"""Saving user masks: atomic PNGs, the dataset's masks protected, overrides win."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import core.atomic
from core.annotation import MaskStore, default_masks_dir, with_mask_overrides
from core.annotation.storage import mask_filename
from core.data.base import ArrayDataset
from core.errors import DataError


def read_png(path):
    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED)


def test_binary_masks_are_saved_as_0_255_and_read_back_as_0_1(tmp_path):
    store = MaskStore(tmp_path / "masks")
    mask = np.zeros((4, 5), np.uint8)
    mask[1:3, 2:4] = 1
    path = store.save("car_01", mask, binary=True)
    assert path == tmp_path / "masks" / "car_01.png"
    on_disk = read_png(path)
    assert on_disk.ndim == 2 and on_disk.dtype == np.uint8
    np.testing.assert_array_equal(on_disk, mask * 255)
    np.testing.assert_array_equal(store.load("car_01", binary=True), mask)


def test_multiclass_masks_keep_class_ids(tmp_path):
    store = MaskStore(tmp_path / "masks")
    mask = np.array([[0, 1, 2], [3, 2, 1]], np.uint8)
    path = store.save("train/00042", mask, binary=False)
    assert path == tmp_path / "masks" / "train" / "00042.png"
    np.testing.assert_array_equal(read_png(path), mask)
    assert store.saved_ids() == ["train/00042"]


def test_a_failure_mid_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    store = MaskStore(tmp_path / "masks")
    old = np.ones((8, 8), np.uint8)
    path = store.save("a", old, binary=True)
    old_bytes = path.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(core.atomic.os, "fsync", disk_full)
    with pytest.raises(OSError):
        store.save("a", np.zeros((8, 8), np.uint8), binary=True)
    assert path.read_bytes() == old_bytes
    assert sorted(p.name for p in path.parent.iterdir()) == [".cnn-lytical-masks", "a.png"]


def test_a_folder_of_foreign_masks_is_not_written_unless_allowed(tmp_path):
    dataset_masks = tmp_path / "train_masks"
    dataset_masks.mkdir()
    (dataset_masks / "car_01_mask.gif").write_bytes(b"GIF89a")
    with pytest.raises(DataError, match="did not write"):
        MaskStore(dataset_masks).save("car_01", np.zeros((2, 2), np.uint8), binary=True)
    assert not (dataset_masks / "car_01.png").exists()
    MaskStore(dataset_masks, overwrite_foreign=True).save("car_01", np.zeros((2, 2), np.uint8), binary=True)
    assert (dataset_masks / "car_01.png").exists()


def test_default_folder_is_beside_the_dataset_or_in_user_data(tmp_path, monkeypatch):
    on_disk = ArrayDataset([np.zeros((2, 2), np.uint8)], [np.zeros((2, 2), np.uint8)], "segmentation",
                           "folder", "folder", ["background", "object"], root=str(tmp_path / "data"))
    assert default_masks_dir(on_disk) == tmp_path / "data" / ".annotations" / "masks"
    monkeypatch.setenv("CNN_LYTICAL_DATA_DIR", str(tmp_path / "user"))
    on_disk.root = None
    assert default_masks_dir(on_disk) == tmp_path / "user" / "annotations" / "folder" / "masks"


def test_item_ids_cannot_escape_the_masks_folder():
    assert mask_filename("a/b c") .as_posix() == "a/b c.png"
    with pytest.raises(ValueError):
        mask_filename("../../etc/passwd")


def _segmentation_dataset(n=3):
    images = [np.full((4, 4), i * 10, np.uint8) for i in range(n)]
    targets = [np.zeros((4, 4), np.uint8) for _ in range(n)]
    targets[1][0, :] = 1
    return ArrayDataset(images, targets, "segmentation", "demo", "carvana", ["background", "car"],
                        ids=[f"car_{i}" for i in range(n)])


def test_user_masks_take_precedence_and_report_changed_pixels(tmp_path):
    dataset = _segmentation_dataset()
    user = np.zeros((4, 4), np.uint8)
    user[0, :2] = 1      # keeps two of the dataset's pixels, drops two
    user[3, 3] = 1       # and adds one
    MaskStore(tmp_path).save("car_1", user, binary=True)
    wrapped = with_mask_overrides(dataset, tmp_path)
    assert len(wrapped) == 3 and wrapped.kind == "segmentation" and wrapped.item_id(1) == "car_1"
    np.testing.assert_array_equal(wrapped[1].target, user)
    np.testing.assert_array_equal(wrapped[0].target, dataset[0].target)
    assert wrapped.has_override(1) and not wrapped.has_override(0)
    changed = wrapped.changed_pixels(1)
    expected = np.zeros((4, 4), bool)
    expected[0, 2:] = True
    expected[3, 3] = True
    np.testing.assert_array_equal(changed, expected)
    assert wrapped.changed_pixels(0) is None


def test_a_user_mask_of_the_wrong_size_names_its_file(tmp_path):
    dataset = _segmentation_dataset()
    MaskStore(tmp_path).save("car_2", np.zeros((5, 5), np.uint8), binary=True)
    with pytest.raises(DataError, match="car_2.png"):
        with_mask_overrides(dataset, tmp_path)[2]


def test_overrides_need_an_existing_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        with_mask_overrides(_segmentation_dataset(), tmp_path / "missing")
