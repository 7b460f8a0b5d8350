"""ScribbleAssistant: learns object vs background from the scribbles of every image so far.

``update(item_id, image, scribbles)`` stores that image's marked pixels,
retrains the forest on the marked pixels of all images, and returns the
probability of "object" for every pixel of ``image``. Features are computed at
a working scale (at most ``max_pixels``), cached per image, and the coarse
probability is upsampled to the image's size.

Not thread-safe by itself: one worker thread calls ``update``; a review scorer
in another thread uses a :meth:`snapshot`, which shares only the lock-protected cache.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from core.assist.feature_cache import DEFAULT_CACHE_BYTES, FeatureCache
from core.assist.features import FeatureSettings, pixel_features
from core.assist.forest import ForestSettings, PixelForest, load_sklearn
from core.assist.refine import grabcut_refine
from core.assist.scribbles import reduced_scribbles, training_samples
from core.assist.tidy import tidy_probability

MIN_GRABCUT_PIXELS = 64  # 8x8: GrabCut's grid never shrinks below that
DEFAULT_MAX_PIXELS = 160_000  # 1918x1280 -> 490x327: see docs/annotation.md for its Dice against full scale


@dataclass(frozen=True)
class AssistSettings:
    features: FeatureSettings = field(default_factory=FeatureSettings)
    forest: ForestSettings = field(default_factory=ForestSettings)
    max_pixels: int = DEFAULT_MAX_PIXELS  # working scale: the image is shrunk to at most this many pixels
    tidy: bool = True  # drop blobs no object stroke touches, fill holes (core/assist/tidy.py)
    largest_without_strokes: bool = True  # tidy keeps only the largest blob of an image with no object stroke
    grabcut_iterations: int = 2  # GrabCut seeded by the forest before tidying (core/assist/refine.py); 0 = off
    grabcut_sure: float = 0.0  # forest probabilities below this (above 1 - this) seed GrabCut as sure
    grabcut_max_pixels: int | None = 80_000  # GrabCut's grid (None: the working grid); 0.2 s, docs/annotation.md
    cache_bytes: int = DEFAULT_CACHE_BYTES

    def __post_init__(self):
        if self.max_pixels < 1:
            raise ValueError(f"max_pixels must be >= 1; got {self.max_pixels}")
        if (self.grabcut_iterations < 0 or not 0.0 <= self.grabcut_sure < 0.5
                or (self.grabcut_max_pixels is not None and self.grabcut_max_pixels < MIN_GRABCUT_PIXELS)):
            raise ValueError(f"grabcut_iterations must be >= 0, grabcut_sure in [0, 0.5) and grabcut_max_pixels "
                             f">= {MIN_GRABCUT_PIXELS}; got {self.grabcut_iterations}, {self.grabcut_sure}, "
                             f"{self.grabcut_max_pixels}")


def working_size(shape: tuple[int, ...], max_pixels: int) -> tuple[int, int]:
    """(height, width) of the grid features are computed on: the image's, shrunk to <= max_pixels."""
    height, width = int(shape[0]), int(shape[1])
    factor = min(1.0, math.sqrt(max_pixels / float(height * width)))
    return max(1, int(round(height * factor))), max(1, int(round(width * factor)))


def upsample(probability: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Bilinear resize of a coarse (h, w) probability to the image's (H, W)."""
    height, width = int(shape[0]), int(shape[1])
    if probability.shape == (height, width):
        return probability
    return cv2.resize(probability, (width, height), interpolation=cv2.INTER_LINEAR)


class ScribbleAssistant:
    """Pixel classifier trained on scribbles; see the module docstring."""

    def __init__(self, settings: AssistSettings = AssistSettings(), cache: FeatureCache | None = None):
        self.settings = settings
        self.cache = cache or FeatureCache(settings.cache_bytes)
        self.forest: PixelForest | None = None
        self._samples: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # item id -> (features, labels)
        self._marks: dict[str, np.ndarray] = {}  # item id -> scribbles on the working grid
        self.channels = 3  # colour channels of the images scribbled (what a snapshot expects)

    @property
    def trained(self) -> bool:
        return self.forest is not None

    @property
    def scribbled_ids(self) -> list[str]:
        return list(self._samples)

    def features(self, item_id: str, image: np.ndarray) -> np.ndarray:
        """(h, w, F) features of ``image`` at its working size, from the cache when present."""
        size = working_size(image.shape, self.settings.max_pixels)
        key = (item_id, image.shape, size, self.settings.features)
        return self.cache.get(key, lambda: pixel_features(shrink(image, size), self.settings.features))

    def set_scribbles(self, item_id: str, image: np.ndarray, scribbles: np.ndarray) -> None:
        """Remember the marked pixels of one image (an empty map forgets them)."""
        scribbles = np.asarray(scribbles, np.uint8)
        if scribbles.shape != image.shape[:2]:
            raise ValueError(f"scribbles {scribbles.shape} and image {image.shape[:2]} differ in size")
        if not scribbles.any():
            self.forget_scribbles(item_id)
            return
        features = self.features(item_id, image)
        self.channels = 1 if image.ndim == 2 else int(image.shape[2])
        marks = reduced_scribbles(scribbles, features.shape[:2])
        samples, labels = training_samples(features, marks)
        self._samples[item_id] = (samples.copy(), labels)
        self._marks[item_id] = marks
        load_sklearn()  # on the first stroke, not the first overlay (see forest.load_sklearn)

    def train(self) -> bool:
        """Fit a new forest on every image's samples; False (and no forest) without both classes."""
        if not self._samples:
            self.forest = None
            return False
        samples = np.concatenate([s for s, _ in self._samples.values()])
        labels = np.concatenate([l for _, l in self._samples.values()])
        if labels.min() == labels.max():  # object and background are both needed
            self.forest = None
            return False
        forest = PixelForest(self.settings.forest)
        forest.fit(samples, labels)
        self.forest = forest
        return True

    def predict(self, item_id: str, image: np.ndarray, tidy: bool | None = None) -> np.ndarray | None:
        """Probability of object per pixel of ``image``, None before training.

        ``tidy`` (default: the settings') cleans it up on the working grid with
        this image's strokes before upsampling (core/assist/tidy.py).
        """
        if self.forest is None:
            return None
        features = self.features(item_id, image)
        coarse = self.forest.probability(features)
        marks = self._marks.get(item_id)
        s = self.settings
        if s.grabcut_iterations:
            coarse = grabcut_refine(shrink(image, features.shape[:2]), coarse, marks, s.grabcut_iterations,
                                    s.grabcut_sure, s.grabcut_max_pixels)
        if s.tidy if tidy is None else tidy:
            coarse = tidy_probability(coarse, np.zeros(coarse.shape, np.uint8) if marks is None else marks,
                                      largest_without_strokes=s.largest_without_strokes)
        return upsample(coarse, image.shape)

    def update(self, item_id: str, image: np.ndarray, scribbles: np.ndarray) -> np.ndarray | None:
        """Store this image's scribbles, retrain, predict it: what a stroke's end asks for."""
        self.set_scribbles(item_id, image, scribbles)
        self.train()
        return self.predict(item_id, image)

    def forget_scribbles(self, item_id: str) -> None:
        """Drop an image's strokes; its features stay cached."""
        self._samples.pop(item_id, None)
        self._marks.pop(item_id, None)

    def forget(self, item_id: str) -> None:
        self.forget_scribbles(item_id)
        self.cache.drop(lambda key: key[0] == item_id)

    def snapshot(self) -> "AssistPredictor | None":
        """A frozen copy of the current forest with a ``predict(image)`` for other threads."""
        return None if self.forest is None else AssistPredictor(self.forest, self.settings, self.channels)


def shrink(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Area-averaged resize to (height, width); the image itself when already that size."""
    image = np.asarray(image)
    if image.shape[:2] == size:
        return image
    return cv2.resize(image, (size[1], size[0]), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class AssistInput:
    """What core.compat reads of a predictor's input: channels, and no fixed size."""

    channels: int
    size: tuple[int, int] | None = None


class AssistPredictor:
    """The assist as a predictor: ``predict(image) -> (H, W)`` probability of object.

    It has the shape the review scorer expects of a model (and the ``kind``,
    ``class_names`` and ``preprocess`` core.compat checks), so the review queue
    can rank images by the forest's uncertainty before any CNN is trained.
    Features are computed afresh (no item ids here) and not cached.
    """

    kind = "segmentation"
    class_names = ("background", "object")

    def __init__(self, forest: PixelForest, settings: AssistSettings, channels: int = 3):
        self.forest = forest
        self.settings = settings
        self.preprocess = AssistInput(channels)

    def predict(self, image: np.ndarray) -> np.ndarray:
        image = np.asarray(image)
        size = working_size(image.shape, self.settings.max_pixels)
        features = pixel_features(shrink(image, size), self.settings.features)
        return upsample(self.forest.probability(features), image.shape)
