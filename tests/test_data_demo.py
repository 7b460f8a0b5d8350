"""Built-in demo data: right shapes, deterministic, fast, learnable but not trivial."""

from __future__ import annotations


import numpy as np
import pytest

from core.data import demo_dataset, open_dataset
from core.data.carvana import car_id


@pytest.mark.parametrize("task,shape,classes", [
    ("mnist", (28, 28), 10), ("cifar10", (32, 32, 3), 10), ("carvana", (128, 192, 3), 2)])
def test_demo_shapes_and_metadata(task, shape, classes):
    dataset = demo_dataset(task, size=40)
    assert (dataset.task, dataset.format, len(dataset)) == (task, "demo", 40)
    assert len(dataset.class_names) == classes
    sample = dataset[0]
    assert sample.image.shape == shape and sample.image.dtype == np.uint8
    assert sorted(np.concatenate(list(dataset.splits.values()))) == list(range(40))


def test_demo_is_deterministic_per_seed():
    first, again, other = (demo_dataset("cifar10", 30, seed=s) for s in (1, 1, 2))
    assert np.array_equal(first.images, again.images) and np.array_equal(first.targets, again.targets)
    assert not np.array_equal(first.images, other.images)
    assert all(np.array_equal(first.splits[k], again.splits[k]) for k in first.splits)


def test_default_demo_sets_have_their_documented_sizes():
    """(How fast they generate is measured in bench/gui.py, not asserted here.)"""
    for task, size in (("mnist", 3000), ("cifar10", 3000), ("carvana", 96)):
        assert len(open_dataset(None, task)) == size


def test_classification_demo_is_balanced_with_real_names():
    dataset = demo_dataset("cifar10", 200)
    assert np.bincount(dataset.targets).tolist() == [20] * 10
    assert dataset.class_names == ["airplane", "automobile", "bird", "cat", "deer",
                                   "dog", "frog", "horse", "ship", "truck"]
    assert demo_dataset("mnist", 10).class_names == [str(d) for d in range(10)]


@pytest.mark.parametrize("task,low,high", [("mnist", 0.4, 0.9), ("cifar10", 0.2, 0.8)])
def test_demo_is_learnable_but_not_trivial(task, low, high):
    """A nearest-class-mean classifier beats chance (10%) clearly but is far from perfect."""
    dataset = demo_dataset(task, 2000)
    images = np.asarray(dataset.images, np.float32).reshape(len(dataset), -1) / 255.0
    train, val = dataset.splits["train"], dataset.splits["val"]
    means = np.stack([images[train][dataset.targets[train] == c].mean(0) for c in range(10)])
    distances = ((images[val][:, None, :] - means[None]) ** 2).sum(-1)
    accuracy = float((distances.argmin(1) == dataset.targets[val]).mean())
    assert low < accuracy < high, accuracy


def test_car_masks_are_binary_with_thin_parts_and_grouped_views():
    dataset = demo_dataset("carvana")
    masks = np.stack(dataset.targets)
    assert set(np.unique(masks)) == {0, 1} and 0.05 < masks.mean() < 0.4
    assert all(dataset.item_id(i).rsplit("_", 1)[1] in {f"{v:02d}" for v in range(1, 9)} for i in range(96))
    side = {}
    for split, indices in dataset.splits.items():
        assert len(indices)
        for index in indices:
            assert side.setdefault(car_id(dataset.item_id(int(index))), split) == split
    # thin parts: some mask pixels vanish under a 3x3 opening (1-2 px wide antennae)
    import cv2
    opened = [cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) for m in masks[:16]]
    thin = sum(int((m > o).sum()) for m, o in zip(masks[:16], opened))
    assert thin > 16
