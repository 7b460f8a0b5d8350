"""The default segmentation working size follows the images' size."""

from __future__ import annotations

import numpy as np

from core.data.base import ArrayDataset
from core.tasks import task_spec
from core.training import loaders


def _cars(height: int, width: int) -> ArrayDataset:
    images = np.zeros((3, height, width, 3), np.uint8)
    return ArrayDataset(images=images, targets=[np.zeros((height, width), np.uint8)] * 3,
                        kind="segmentation", format="test", task="carvana",
                        class_names=["background", "car"])


def _size(dataset, image_size=None):
    return loaders.make_preprocess(task_spec("carvana"), dataset, image_size).size


def test_default_working_size_is_a_power_of_two_fraction_of_the_images():
    assert _size(_cars(1280, 1918)) == (160, 240)   # Carvana: 1/8, aspect kept
    assert _size(_cars(128, 192)) == (128, 192)     # demo cars: as they are
    assert _size(_cars(600, 800)) == (144, 208)     # 1/4: 150x200, each to a multiple of 16
    assert _size(_cars(1280, 1918), image_size=320) == (320, 480)  # --image-size wins
