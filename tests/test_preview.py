"""Browser previews: reduced decode of image files, no mask read, labels without decoding."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from core.data import decode, files
from core.data.base import ArrayDataset, Sample
from core.data.files import FileDataset
from core.data.preview import preview
from core.data.writers import write_gif_mask


def _photo(path, height=400, width=600):
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // width, y * 255 // height, np.full_like(x, 90)], axis=2).astype(np.uint8)
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
    return rgb


def _decodes(monkeypatch) -> list[int]:
    """Records the libjpeg reduction flag of every cv2.imdecode call in core.data.decode."""
    flags: list[int] = []
    real = decode.cv2.imdecode

    def spy(data, flag):
        flags.append(flag)
        return real(data, flag)
    monkeypatch.setattr(decode.cv2, "imdecode", spy)
    return flags


def test_segmentation_photo_is_decoded_reduced_and_its_mask_is_not_read(tmp_path, monkeypatch):
    rgb = _photo(tmp_path / "car.jpg")
    write_gif_mask(tmp_path / "car_mask.gif", np.ones((400, 600), np.uint8))
    dataset = FileDataset([tmp_path / "car.jpg"], "segmentation", "folder-masks", "folder",
                          ["background", "object"], {"train": np.arange(1)}, str(tmp_path),
                          mask_paths=[tmp_path / "car_mask.gif"])
    monkeypatch.setattr(files, "read_mask", lambda path: pytest.fail("a preview read the mask"))
    flags = _decodes(monkeypatch)

    image, label = preview(dataset, 0, 72)

    assert label is None and image.shape == (48, 72, 3)
    assert flags and all(flag & cv2.IMREAD_REDUCED_COLOR_8 == cv2.IMREAD_REDUCED_COLOR_8 for flag in flags)
    expected = cv2.resize(rgb, (72, 48), interpolation=cv2.INTER_AREA)
    assert np.abs(image.astype(int) - expected).mean() < 4  # same picture, RGB order kept


def test_classification_file_gives_its_label_without_a_full_decode(tmp_path, monkeypatch):
    _photo(tmp_path / "a.jpg")
    dataset = FileDataset([tmp_path / "a.jpg"], "classification", "folder-classes", "folder",
                          ["cat", "dog"], {"train": np.arange(1)}, str(tmp_path), labels=[1])
    monkeypatch.setattr(files, "read_image", lambda path: pytest.fail("full decode"))
    image, label = preview(dataset, 0, 64)
    assert label == 1 and max(image.shape[:2]) <= 64


def test_packed_items_and_non_image_paths_take_the_dataset_path(tmp_path):
    digits = ArrayDataset(np.full((3, 28, 28), 7, np.uint8), np.array([4, 5, 6]), "classification",
                          "mnist-idx", "mnist", [str(i) for i in range(10)])
    image, label = preview(digits, 1, 72)
    assert label == 5 and image.shape == (28, 28) and (image == 7).all()

    class LabelmeLike:  # the path is the annotation file, the image is inside it
        kind, labels = "segmentation", None

        def item_path(self, index):
            (tmp_path / "x.json").write_text("{}")
            return str(tmp_path / "x.json")

        def __getitem__(self, index):
            return Sample(np.full((5, 6, 3), 9, np.uint8), np.zeros((5, 6), np.uint8), "x")

    image, label = preview(LabelmeLike(), 0, 72)
    assert label is None and image.shape == (5, 6, 3) and (image == 9).all()
