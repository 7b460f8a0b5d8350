"""Can a model read this dataset? One answer for every panel that uses a model on it.

A grey 28x28 MNIST model shown CIFAR-10 pictures answers with confident nonsense
("automobile 40.6%") because kind and class count agree. The checks, in order:
kind, colour channels, class names (or count when a side has no names), and the
size policy: a fixed-size classifier resizes whatever it gets, so only a wildly
different shape (aspect ratio beyond ``MAX_ASPECT_CHANGE``) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import CnnLyticalError

MAX_ASPECT_CHANGE = 2.0  # a classifier may squash 4:3 into a square, not 3:1


@dataclass(frozen=True)
class ModelProfile:
    """What a model expects (from a predictor: kind, class_names, preprocess)."""

    kind: str
    class_names: tuple[str, ...]
    channels: int
    size: tuple[int, int] | None  # (H, W) the model resizes to; None = any size


@dataclass(frozen=True)
class DataProfile:
    """What a dataset holds (its first item stands for the rest)."""

    kind: str
    class_names: tuple[str, ...]
    channels: int
    size: tuple[int, int]


def model_profile(predictor) -> ModelProfile:
    preprocess = predictor.preprocess
    size = None if preprocess.size is None else tuple(int(s) for s in preprocess.size)
    return ModelProfile(str(predictor.kind), tuple(predictor.class_names),
                        int(preprocess.channels), size)


def data_profile(dataset) -> DataProfile:
    """Reads one item (one decode); channels 0 and size (0, 0) when it cannot be read."""
    unknown = DataProfile(dataset.kind, tuple(dataset.class_names), 0, (0, 0))
    try:
        image = np.asarray(dataset[0].image) if len(dataset) else None
    except (CnnLyticalError, OSError, ValueError):  # a bad first file is reported when shown
        image = None
    if image is None:
        return unknown
    channels = 1 if image.ndim == 2 else int(image.shape[2])
    return DataProfile(dataset.kind, tuple(dataset.class_names), min(channels, 3),
                       (int(image.shape[0]), int(image.shape[1])))


def incompatibility(model: ModelProfile, data: DataProfile) -> str | None:
    """Why ``model`` cannot be used on ``data`` (one line), or None when it can."""
    if model.kind != data.kind:
        return f"a {model.kind} model cannot read {data.kind} data"
    if data.channels and model.channels != data.channels:
        return (f"the model reads {_colour(model.channels)} images, the data is "
                f"{_colour(data.channels)}")
    if model.kind == "classification":
        if len(model.class_names) != len(data.class_names):
            return (f"the model knows {len(model.class_names)} classes, the data has "
                    f"{len(data.class_names)}")
        if model.class_names != data.class_names:
            return (f"the model's classes ({_names(model.class_names)}) are not the data's "
                    f"({_names(data.class_names)})")
    if model.size is not None and min(data.size) > 0:
        model_aspect = model.size[1] / model.size[0]
        data_aspect = data.size[1] / data.size[0]
        if max(model_aspect, data_aspect) / min(model_aspect, data_aspect) > MAX_ASPECT_CHANGE:
            return (f"the model reads {model.size[1]}x{model.size[0]} images; "
                    f"{data.size[1]}x{data.size[0]} would be distorted")
    return None


def _colour(channels: int) -> str:
    return "grey" if channels == 1 else "colour"


def _names(names: tuple[str, ...], shown: int = 3) -> str:
    return ", ".join(names[:shown]) + (", …" if len(names) > shown else "")
