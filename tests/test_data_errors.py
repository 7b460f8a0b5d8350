"""Every kind of bad input raises DataError with one line naming the file."""

from __future__ import annotations

import gzip
import os
import pickle

import numpy as np
import pytest

from core.data import open_dataset
from core.data.describe import describe
from core.data.writers import (cifar_batch_bytes, idx_bytes, write_carvana, write_image,
                               write_mask_folder, write_mnist)
from core.errors import DataError


class RunsShellCommand:
    """A pickle payload that would run a shell command when loaded."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def mnist_folder(tmp_path, rng):
    images = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
    write_mnist(tmp_path, (images, rng.integers(0, 10, 6)))
    return tmp_path


def write_truncated_idx(folder, rng):
    data = idx_bytes(rng.integers(0, 256, (6, 28, 28), dtype=np.uint8))
    (mnist_folder(folder, rng) / "train-images-idx3-ubyte").write_bytes(data[:-100])
    return folder / "train-images-idx3-ubyte"


def write_truncated_gz(folder, rng):
    mnist_folder(folder, rng)
    (folder / "train-images-idx3-ubyte").unlink()
    blob = gzip.compress(idx_bytes(rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)))
    (folder / "train-images-idx3-ubyte.gz").write_bytes(blob[: len(blob) // 2])
    return folder / "train-images-idx3-ubyte.gz"


def write_wrong_magic(folder, rng):
    mnist_folder(folder, rng)
    path = folder / "train-labels-idx1-ubyte"
    path.write_bytes(b"\x00\x00\x0d\x01" + path.read_bytes()[4:])  # float type code
    return path


def write_label_count_mismatch(folder, rng):
    mnist_folder(folder, rng)
    path = folder / "train-labels-idx1-ubyte"
    path.write_bytes(idx_bytes(np.zeros(5, np.uint8)))
    return path


def write_malicious_pickle(folder, rng):
    marker = folder / "pwned"
    path = folder / "data_batch_1"
    payload = {b"data": RunsShellCommand(f"touch {marker}"), b"labels": [0]}
    path.write_bytes(cifar_batch_bytes(payload))  # laid out like a real (Python 2) batch
    return path


def write_wrong_cifar_shape(folder, rng):
    path = folder / "data_batch_1"
    path.write_bytes(cifar_batch_bytes({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}))
    return path


def write_unreadable_image(folder, rng):
    write_image(folder / "b.png", np.zeros((4, 4), np.uint8))
    (folder / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    return folder / "a.png"


def write_mask_of_other_size(folder, rng):
    write_mask_folder(folder, [np.zeros((8, 10, 3), np.uint8)], [np.ones((8, 9), np.uint8)], ["a"])
    return folder / "masks" / "a.png"


def write_empty_folder(folder, rng):
    (folder / "notes.txt").write_text("no images here")
    return folder


def write_carvana_without_masks(folder, rng):
    image = np.zeros((4, 4, 3), np.uint8)
    write_carvana(folder, [image, image], [np.zeros((4, 4))] * 2, ["car1_01", "car1_02"])
    (folder / "train_masks" / "car1_02_mask.gif").unlink()
    return folder / "train"


def write_bad_rle(folder, rng):
    write_carvana(folder, [np.zeros((4, 4, 3), np.uint8)], [np.ones((4, 4))], ["car1_01"],
                  gif=False, csv_file=True)
    (folder / "train_masks.csv").write_text("img,rle_mask\ncar1_01.jpg,10 50\n")
    return folder / "train_masks.csv"


BAD_INPUTS = {  # name -> (writer returning the file the message must name, words in the message)
    "truncated idx": (write_truncated_idx, "truncated"),
    "truncated gz": (write_truncated_gz, "gzip"),
    "wrong magic": (write_wrong_magic, "magic number"),
    "label count": (write_label_count_mismatch, "5 labels for 6 images"),
    "malicious pickle": (write_malicious_pickle, "refused to load posix.system"),
    "cifar shape": (write_wrong_cifar_shape, "expected uint8 (N, 3072)"),
    "unreadable image": (write_unreadable_image, "cannot decode image"),
    "mask size": (write_mask_of_other_size, "mask is 9x8 but its image is 10x8"),
    "empty folder": (write_empty_folder, "no images found"),
    "carvana unmasked": (write_carvana_without_masks, "1 image(s) have no mask, e.g. car1_02.jpg"),
    "bad rle": (write_bad_rle, "runs past the end"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_raises_one_line_data_error(tmp_path, rng, name):
    writer, words = BAD_INPUTS[name]
    culprit = writer(tmp_path, rng)
    with pytest.raises(DataError) as caught:
        describe(open_dataset(tmp_path))  # errors on opening, or on reading items as info does
    message = str(caught.value)
    assert "\n" not in message and words in message
    assert str(culprit) in message


def test_malicious_pickle_does_not_run(tmp_path, rng):
    write_malicious_pickle(tmp_path, rng)
    with pytest.raises(DataError):
        open_dataset(tmp_path)
    assert not (tmp_path / "pwned").exists()
    pickle.loads((tmp_path / "data_batch_1").read_bytes())  # the payload does work when unguarded
    assert (tmp_path / "pwned").exists()


def test_missing_path_and_unknown_task(tmp_path):
    with pytest.raises(DataError, match="no such file or folder"):
        open_dataset(tmp_path / "missing")
    with pytest.raises(DataError, match="unknown task 'imagenet'"):
        open_dataset(tmp_path, task="imagenet")
    with pytest.raises(DataError, match="no MNIST files"):
        open_dataset(tmp_path, task="mnist")


def test_mask_size_error_on_item_access(tmp_path, rng):
    write_mask_of_other_size(tmp_path, rng)
    dataset = open_dataset(tmp_path)  # opening lists files only
    with pytest.raises(DataError, match="mask is 9x8"):
        dataset[0]


def test_a_stray_file_is_not_a_dataset(tmp_path):
    write_image(tmp_path / "photo.png", np.zeros((3, 3), np.uint8))
    with pytest.raises(DataError, match="is a file; pass the folder"):
        open_dataset(tmp_path / "photo.png")
