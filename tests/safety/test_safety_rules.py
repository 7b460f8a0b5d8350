"""The rules behind the corpus: limits can be raised, EXIF orientation is applied to images
and masks alike, re-pickled CIFAR reads back exactly, worker errors stay one line."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageOps

from core.data.cifar import read_batch
from core.data.images import apply_orientation, read_image
from core.data.masks import read_mask
from core.data.mnist import read_idx
from core.errors import DataError
from tests.safety import crafted


def test_a_raised_limit_lets_a_large_image_through(tmp_path, monkeypatch):
    path = crafted.write_png(tmp_path / "wide.png", np.zeros((100, 300), np.uint8))
    monkeypatch.setenv("CNN_LYTICAL_MAX_IMAGE_PIXELS", "20000")
    with pytest.raises(DataError, match="CNN_LYTICAL_MAX_IMAGE_PIXELS") as caught:
        read_image(path)
    assert "wide.png" in str(caught.value) and "300x100" in str(caught.value)
    monkeypatch.setenv("CNN_LYTICAL_MAX_IMAGE_PIXELS", "30000")
    assert read_image(path).shape == (100, 300)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_matches_pillow_for_images_and_masks(tmp_path, orientation):
    rng = np.random.default_rng(orientation)
    pixels = rng.integers(0, 256, (5, 7, 3), np.uint8)
    labels = (rng.random((5, 7)) > 0.5).astype(np.uint8) * 255
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(pixels).save(tmp_path / "image.png", exif=exif.tobytes())
    Image.fromarray(labels).save(tmp_path / "mask.png", exif=exif.tobytes())
    shown = np.asarray(ImageOps.exif_transpose(Image.open(tmp_path / "image.png")))
    np.testing.assert_array_equal(read_image(tmp_path / "image.png"), shown)
    np.testing.assert_array_equal(read_mask(tmp_path / "mask.png"), apply_orientation(labels, orientation) // 255)


def test_exif_rotated_jpeg_and_its_mask_line_up(tmp_path):
    photo = crafted.jpeg_with_orientation(tmp_path / "p.jpg", np.full((8, 12, 3), 90, np.uint8), 6)
    assert read_image(photo).shape[:2] == (12, 8)  # stored 12 wide, shown 8 wide


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_cifar_batches_repickled_by_python3_read_back_exactly(tmp_path, protocol):
    data = np.random.default_rng(protocol).integers(0, 256, (3, 3072), np.uint8)
    path = tmp_path / "data_batch_1"
    path.write_bytes(crafted.cifar_batch_bytes([0, 9, 4], n=3, protocol=protocol, data=data))
    images, labels = read_batch(path, 10)
    np.testing.assert_array_equal(images, data.reshape(3, 3, 32, 32).transpose(0, 2, 3, 1))
    assert labels.tolist() == [0, 9, 4]


def test_numpy_labels_array_is_accepted_but_not_floats(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(crafted.cifar_batch_bytes(np.array([1, 2], np.uint8)))
    assert read_batch(path, 10)[1].tolist() == [1, 2]
    path.write_bytes(crafted.cifar_batch_bytes(np.array([1.0, 2.0])))
    with pytest.raises(DataError, match="float64 array"):
        read_batch(path, 10)


def test_a_data_error_rebuilt_from_a_worker_message_is_one_line():
    original = DataError("/data/cat/0.png", "cannot decode image (corrupt or unsupported format)")
    message = (f"Caught DataError in DataLoader worker process 0.\nOriginal Traceback (most recent call "
               f"last):\n  File \"x.py\", line 1, in f\n    raise\ncore.errors.DataError: {original}\n")
    rebuilt = DataError(message)
    assert str(rebuilt) == str(original) and "\n" not in str(rebuilt)


def test_decoded_bytes_never_exceed_what_the_file_declares(tmp_path):
    """An IDX .gz whose stream runs past its header is refused, not read on."""
    path = crafted.idx_file(tmp_path / "t.gz", (2,), b"\0\1\2\3")
    with pytest.raises(DataError, match="longer than its header"):
        read_idx(path, 1)
