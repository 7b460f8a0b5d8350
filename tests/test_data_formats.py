"""Readers round-trip small datasets written in each real on-disk format."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from core.data import open_dataset, split_view
from core.data.carvana import car_id
from core.data.cifar import load_batch
from core.data.masks import read_mask, write_mask
from core.data.rle import rle_decode, rle_encode
from core.data.writers import (idx_bytes, write_carvana, write_cifar10, write_gif_mask,
                               write_image, write_mask_folder, write_mnist)


def digits(rng, count):
    return rng.integers(0, 256, (count, 28, 28), dtype=np.uint8), rng.integers(0, 10, count)


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_idx_round_trip(tmp_path, rng, gz):
    train, test = digits(rng, 40), digits(rng, 12)
    write_mnist(tmp_path, train, test, gz=gz)
    dataset = open_dataset(tmp_path)
    assert (dataset.task, dataset.format, dataset.kind) == ("mnist", "mnist-idx", "classification")
    assert len(dataset) == 52 and dataset.class_names == [str(d) for d in range(10)]
    assert np.array_equal(dataset[7].image, train[0][7]) and dataset[7].target == train[1][7]
    assert np.array_equal(dataset[40 + 3].image, test[0][3]) and dataset[43].item_id == "test/00003"
    assert list(dataset.splits["test"]) == list(range(40, 52))
    assert sorted(np.concatenate([dataset.splits["train"], dataset.splits["val"]])) == list(range(40))
    assert len(dataset.splits["val"]) == 4


def test_mnist_torchvision_layout_and_dotted_names(tmp_path, rng):
    images, labels = digits(rng, 10)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "train-images.idx3-ubyte").write_bytes(idx_bytes(images))
    (raw / "train-labels.idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    dataset = open_dataset(tmp_path)
    assert dataset.root == str(raw) and len(dataset) == 10
    assert np.array_equal(np.stack([dataset[i].image for i in range(10)]), images)
    assert sum(len(v) for v in dataset.splits.values()) == 10  # no t10k: test carved from train


def test_mnist_file_path_opens_its_folder(tmp_path, rng):
    write_mnist(tmp_path, digits(rng, 5))
    assert len(open_dataset(tmp_path / "train-images-idx3-ubyte")) == 5


def test_cifar10_pickles_round_trip(tmp_path, rng):
    images = rng.integers(0, 256, (30, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, 30)
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar10(folder, [(images[:10], labels[:10]), (images[10:20], labels[10:20])],
                  test=(images[20:], labels[20:]))
    raw = load_batch(folder / "data_batch_1")  # the file really is the CIFAR layout
    assert raw["data"].shape == (10, 3072) and raw["data"].dtype == np.uint8
    assert np.array_equal(raw["data"][0, :1024].reshape(32, 32), images[0, :, :, 0])  # red plane first
    raw_bytes = (folder / "data_batch_1").read_bytes()
    assert raw_bytes[:2] == b"\x80\x02"  # pickle protocol 2, Python 2 globals and byte strings
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in raw_bytes and b"_codecs" not in raw_bytes
    dataset = open_dataset(tmp_path)
    assert (dataset.task, dataset.format) == ("cifar10", "cifar10-python")
    assert dataset.class_names[0] == "airplane" and dataset.class_names[9] == "truck"
    assert all(np.array_equal(dataset[i].image, images[i]) and dataset[i].target == labels[i]
               for i in range(30))
    assert list(dataset.splits["test"]) == list(range(20, 30))
    assert len(dataset.splits["train"]) + len(dataset.splits["val"]) == 20


def test_cifar10_batch_resaved_by_python3_still_loads(tmp_path, rng):
    import pickle
    images = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    data = images.transpose(0, 3, 1, 2).reshape(3, -1)
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps({"data": data, "labels": [1, 2, 3]}, protocol=4))
    dataset = open_dataset(tmp_path)
    assert np.array_equal(dataset[2].image, images[2]) and dataset[2].target == 3


def test_cifar10_label_names_come_from_meta(tmp_path, rng):
    images = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    write_cifar10(tmp_path, [(images, [0, 1, 2, 1])], label_names=["a", "b", "c"])
    assert open_dataset(tmp_path, task="cifar10").class_names == ["a", "b", "c"]


def carvana_items(rng, cars=4, views=4, shape=(24, 36)):
    ids, images, masks = [], [], []
    for car in range(cars):
        for view in range(1, views + 1):
            ids.append(f"{car:012x}_{view:02d}")
            colour = rng.integers(30, 226, 3)  # flat colours survive JPEG, so RGB order is checked
            images.append(np.broadcast_to(colour, shape + (3,)).astype(np.uint8))
            masks.append((rng.random(shape) < 0.3).astype(np.uint8))
    return ids, images, masks


@pytest.mark.parametrize("gif,csv_file", [(True, False), (False, True), (True, True)])
def test_carvana_round_trip(tmp_path, rng, gif, csv_file):
    ids, images, masks = carvana_items(rng)
    write_carvana(tmp_path, images, masks, ids, gif=gif, csv_file=csv_file)
    dataset = open_dataset(tmp_path)
    assert (dataset.task, dataset.format, dataset.kind) == ("carvana", "carvana", "segmentation")
    assert dataset.class_names == ["background", "car"]
    for index, item_id in enumerate(ids):
        sample = dataset[index]
        assert sample.item_id == item_id and sample.path.endswith(f"train/{item_id}.jpg")
        assert np.array_equal(sample.target, masks[index]) and sample.target.dtype == np.uint8
        assert np.abs(sample.image.astype(int) - images[index]).max() <= 4  # JPEG is lossy


def test_carvana_split_never_separates_a_cars_views(tmp_path, rng):
    ids, images, masks = carvana_items(rng, cars=10, views=3, shape=(8, 8))
    write_carvana(tmp_path, images, masks, ids)
    for seed in range(5):
        dataset = open_dataset(tmp_path, seed=seed)
        side = {}
        for split, indices in dataset.splits.items():
            for index in indices:
                assert side.setdefault(car_id(dataset.item_id(int(index))), split) == split
        assert all(len(v) for v in dataset.splits.values())
        assert sorted(np.concatenate(list(dataset.splits.values()))) == list(range(30))


def test_folder_of_class_subfolders(tmp_path, rng):
    for name, count in (("cats", 6), ("dogs", 4)):
        for i in range(count):
            write_image(tmp_path / name / f"{i}.png", rng.integers(0, 256, (9, 7, 3), dtype=np.uint8))
    dataset = open_dataset(tmp_path)
    assert (dataset.task, dataset.format, dataset.kind) == ("folder", "folder-classes", "classification")
    assert dataset.class_names == ["cats", "dogs"] and len(dataset) == 10
    assert [dataset[i].target for i in range(10)] == [0] * 6 + [1] * 4
    assert dataset[0].image.shape == (9, 7, 3) and dataset.item_id(6) == "dogs/0"
    view = split_view(dataset, "train")
    assert {view[i].target for i in range(len(view))} == {0, 1}  # stratified


def test_folder_with_parallel_masks(tmp_path, rng):
    images = [rng.integers(0, 256, (10, 12, 3), dtype=np.uint8) for _ in range(4)]
    masks = [(rng.random((10, 12)) < 0.5).astype(np.uint8) for _ in range(4)]
    write_mask_folder(tmp_path, images, masks, ["a", "b", "c", "d"])
    (tmp_path / "masks" / "d.png").unlink()  # an image not annotated yet
    dataset = open_dataset(tmp_path)
    assert (dataset.format, dataset.kind) == ("folder-masks", "segmentation")
    assert all(np.array_equal(dataset[i].image, images[i]) for i in range(4))
    assert all(np.array_equal(dataset[i].target, masks[i]) for i in range(3))
    assert dataset[3].target is None


def test_loose_images_with_sibling_mask_folder(tmp_path, rng):
    image = rng.integers(0, 256, (5, 6), dtype=np.uint8)
    write_image(tmp_path / "images" / "x.bmp", image)
    write_mask(tmp_path / "masks" / "x_mask.png", np.eye(5, 6, dtype=np.uint8))
    dataset = open_dataset(tmp_path / "images")
    assert np.array_equal(dataset[0].image, image)
    assert np.array_equal(dataset[0].target, np.eye(5, 6, dtype=np.uint8))


def test_unlabelled_folder_opens_for_annotation(tmp_path, rng):
    write_image(tmp_path / "a.jpg", rng.integers(0, 256, (6, 6, 3), dtype=np.uint8))
    dataset = open_dataset(tmp_path)
    assert dataset.format == "folder-images" and dataset[0].target is None


def test_task_forces_the_reader(tmp_path, rng):
    write_mnist(tmp_path, digits(rng, 4))
    write_image(tmp_path / "stray.png", np.zeros((3, 3), np.uint8))
    assert open_dataset(tmp_path).task == "mnist"
    assert open_dataset(tmp_path, task="folder").format == "folder-images"


def test_mask_io_png_class_ids_and_gif(tmp_path, rng):
    binary = (rng.random((7, 9)) < 0.5).astype(np.uint8)
    write_mask(tmp_path / "m.png", binary)
    import cv2
    on_disk = cv2.imread(str(tmp_path / "m.png"), cv2.IMREAD_UNCHANGED)
    assert on_disk.ndim == 2 and set(np.unique(on_disk)) <= {0, 255}  # visible 0/255 PNG
    assert np.array_equal(read_mask(tmp_path / "m.png"), binary)
    classes = rng.integers(0, 4, (7, 9)).astype(np.uint8)
    write_mask(tmp_path / "c.png", classes)
    assert np.array_equal(read_mask(tmp_path / "c.png"), classes)
    write_gif_mask(tmp_path / "g.gif", binary)
    assert np.array_equal(read_mask(tmp_path / "g.gif"), binary)
    assert list(tmp_path.glob(".*.tmp")) == []


def test_write_mask_failure_keeps_previous_file(tmp_path):
    write_mask(tmp_path / "m.png", np.ones((3, 3), np.uint8))
    with pytest.raises(ValueError):
        write_mask(tmp_path / "m.png", np.ones((3, 3, 3), np.uint8))
    assert np.array_equal(read_mask(tmp_path / "m.png"), np.ones((3, 3), np.uint8))


def test_rle_round_trip_and_known_values(rng):
    mask = np.array([[0, 1, 1], [1, 0, 0]], np.uint8)
    assert rle_encode(mask) == "2 3"  # 1-based, row-major: pixels 2,3,4
    assert rle_encode(np.zeros((2, 2))) == ""
    assert np.array_equal(rle_decode("1 4", (2, 2)), np.ones((2, 2), np.uint8))
    for _ in range(100):
        shape = tuple(rng.integers(1, 20, 2))
        random_mask = (rng.random(shape) < rng.random()).astype(np.uint8)
        assert np.array_equal(rle_decode(rle_encode(random_mask), shape), random_mask)


def test_rle_rejects_malformed_strings():
    for bad in ("1", "0 2", "3 5", "a b"):
        with pytest.raises(ValueError):
            rle_decode(bad, (2, 2))


def test_opening_does_not_decode_images(tmp_path, rng, monkeypatch):
    write_mask_folder(tmp_path, [np.zeros((4, 4), np.uint8)] * 3, None, ["a", "b", "c"])
    import core.data.files as files
    calls = []
    monkeypatch.setattr(files, "read_image", lambda path: calls.append(path) or np.zeros((4, 4), np.uint8))
    dataset = open_dataset(tmp_path)
    assert len(dataset) == 3 and calls == []
    dataset[1]
    assert len(calls) == 1
    shutil.rmtree(tmp_path / "images")


def test_mask_io_jpeg_and_alpha_masks(tmp_path):
    import cv2
    square = np.zeros((16, 16), np.uint8)
    square[4:12, 4:12] = 255
    cv2.imwrite(str(tmp_path / "m.jpg"), square)  # lossy edges must not become class ids
    assert np.array_equal(read_mask(tmp_path / "m.jpg"), square // 255)
    rgba = np.zeros((16, 16, 4), np.uint8)
    rgba[:, :, 3] = square  # transparent background, opaque object, colour all black
    cv2.imwrite(str(tmp_path / "a.png"), rgba)
    assert np.array_equal(read_mask(tmp_path / "a.png"), square // 255)


def test_folder_class_names_file_and_hidden_stubs(tmp_path, rng):
    classes = rng.integers(0, 3, (6, 6)).astype(np.uint8)
    write_mask_folder(tmp_path, [np.zeros((6, 6), np.uint8)], [classes], ["a"])
    (tmp_path / "images" / "._a.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")  # macOS stub
    (tmp_path / "classes.txt").write_text("background\nroad\ncar\n")
    dataset = open_dataset(tmp_path)
    assert dataset.class_names == ["background", "road", "car"] and len(dataset) == 1
    assert np.array_equal(dataset[0].target, classes)


@pytest.mark.parametrize("size", [3, 4, 5, 7])
def test_tiny_datasets_still_get_val_and_test_items(tmp_path, size):
    from core.data import demo_dataset
    from core.data.splits import stratified_split
    for splits in (demo_dataset("mnist", size).splits, stratified_split([0] * (size - 1) + [1])):
        assert all(len(splits[name]) >= 1 for name in ("train", "val", "test"))
        assert sorted(np.concatenate(list(splits.values()))) == list(range(size))
