"""One compatibility check for model and data (an MNIST model was applied to CIFAR-10)."""

from __future__ import annotations

from core.compat import DataProfile, ModelProfile, data_profile, incompatibility
from core.data import demo_dataset

DIGITS = tuple(str(d) for d in range(10))
CIFAR = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def test_grey_digit_model_does_not_fit_colour_cifar():
    mnist_model = ModelProfile("classification", DIGITS, 1, (28, 28))
    cifar = data_profile(demo_dataset("cifar10", 20))
    assert (cifar.channels, cifar.size) == (3, (32, 32))
    reason = incompatibility(mnist_model, cifar)
    assert reason is not None and "grey" in reason and "colour" in reason


def test_same_count_but_other_class_names_do_not_fit():
    model = ModelProfile("classification", DIGITS, 3, (32, 32))
    reason = incompatibility(model, DataProfile("classification", CIFAR, 3, (32, 32)))
    assert reason is not None and "classes" in reason


def test_matching_model_fits_and_size_is_resized():
    mnist = data_profile(demo_dataset("mnist", 20))
    assert incompatibility(ModelProfile("classification", DIGITS, 1, (28, 28)), mnist) is None
    assert incompatibility(ModelProfile("classification", DIGITS, 1, (32, 32)), mnist) is None


def test_kind_and_shape_policy():
    cars = DataProfile("segmentation", ("background", "car"), 3, (1280, 1918))
    assert "segmentation" in incompatibility(ModelProfile("classification", DIGITS, 3, None), cars)
    assert incompatibility(ModelProfile("segmentation", ("background", "car"), 3, None), cars) is None
    wide = DataProfile("classification", DIGITS, 1, (28, 100))
    assert "distorted" in incompatibility(ModelProfile("classification", DIGITS, 1, (28, 28)), wide)
