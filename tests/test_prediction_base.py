"""BasePredictor: the shared pre/post-processing every engine gets by supplying only forward."""

from __future__ import annotations

import threading

import numpy as np

from core.postprocess import to_probabilities
from core.prediction import BasePredictor
from core.preprocess import Preprocess


class PixelPredictor(BasePredictor):
    """forward: a fixed per-channel affine map of each pixel (no spatial mixing), so flips
    and tiles must reproduce the whole-image answer; records every batch shape."""

    runtime = "fake"

    def __init__(self, kind: str = "segmentation", tile_size: int = 1024, size=None, classes: int = 1):
        preprocess = Preprocess(3, size, (0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
        super().__init__(kind=kind, task="folder", class_names=[f"c{i}" for i in range(max(classes, 2))],
                         preprocess=preprocess, tile_size=tile_size, tile_overlap=16)
        self.weights = np.random.default_rng(0).normal(size=(classes, 3)).astype(np.float32)
        self.calls: list[tuple[int, ...]] = []

    def forward(self, batch: np.ndarray) -> np.ndarray:
        self.calls.append(batch.shape)
        logits = np.einsum("kc,nchw->nkhw", self.weights, batch)             # (N, K, H, W)
        if self.kind == "classification":
            return logits[..., : logits.shape[-1] // 2].mean(axis=(2, 3))    # left half only
        return logits


def test_flip_averaging_masks_flips_back_and_classification_averages(rng):
    image = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    masks = PixelPredictor()
    plain, averaged = masks.predict(image), masks.predict(image, tta=True)
    np.testing.assert_allclose(averaged, plain, atol=1e-6)  # pointwise: the flip changes nothing
    assert len(masks.calls) == 3 and masks.calls[-1] == masks.calls[-2] == (1, 3, 20, 30)

    classifier = PixelPredictor(kind="classification", classes=3)
    batch = classifier.preprocess.batch([image])
    expected = (to_probabilities(classifier.forward(batch))
                + to_probabilities(classifier.forward(batch[..., ::-1].copy()))) / 2
    np.testing.assert_allclose(classifier.predict(image, tta=True), expected[0], atol=1e-6)
    assert not np.allclose(classifier.predict(image, tta=True), classifier.predict(image), atol=1e-4)


def test_engines_that_opt_out_of_flips_ignore_tta(rng):
    classifier = PixelPredictor(kind="classification", classes=3)
    classifier.flip_tta = False
    image = rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)
    np.testing.assert_array_equal(classifier.predict(image, tta=True), classifier.predict(image))


def test_large_native_size_images_go_in_tiles_that_join_seamlessly(rng):
    image = rng.integers(0, 256, (150, 203, 3), dtype=np.uint8)
    whole = PixelPredictor(tile_size=1024).predict(image)
    tiled = PixelPredictor(tile_size=64)
    result = tiled.predict(image)
    assert len(tiled.calls) == 3 * 4 and all(shape[-2:] == (64, 64) for shape in tiled.calls)
    np.testing.assert_allclose(result, whole, atol=1e-5)
    assert result.shape == image.shape[:2] and result.dtype == np.float32


def test_fixed_size_models_see_large_images_reduced_and_answer_at_full_size(rng):
    predictor = PixelPredictor(tile_size=64, size=(32, 48))
    mask = predictor.predict(rng.integers(0, 256, (640, 960, 3), dtype=np.uint8))
    assert predictor.calls == [(1, 3, 32, 48)]  # one forward at the working size, no tiles
    assert mask.shape == (640, 960) and 0.0 <= mask.min() and mask.max() <= 1.0


def test_many_mask_classes_come_back_as_class_maps(rng):
    predictor = PixelPredictor(classes=3)
    probabilities = predictor.predict(rng.integers(0, 256, (9, 11, 3), dtype=np.uint8))
    assert probabilities.shape == (3, 9, 11)
    np.testing.assert_allclose(probabilities.sum(axis=0), 1.0, atol=1e-5)


def test_without_inspection_support_the_capability_says_none():
    predictor = PixelPredictor()
    assert predictor.first_layer_filters() is None and predictor.feature_maps(np.zeros((4, 4, 3))) == []


def test_one_forward_at_a_time(rng):
    predictor = PixelPredictor()
    inside, most = [0], [0]
    forward = predictor.forward

    def counting(batch):
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        try:
            return forward(batch)
        finally:
            inside[0] -= 1

    predictor.forward = counting
    image = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    threads = [threading.Thread(target=lambda: [predictor.predict(image) for _ in range(20)])
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1
