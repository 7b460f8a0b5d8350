"""The scribble assist learns a two-texture image; caching, subsampling and tidying behave."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.assist import (BACKGROUND, OBJECT, AssistSettings, FeatureSettings, ForestSettings, ScribbleAssistant,
                         assist_uncertainty, tidy_probability)
from core.assist.feature_cache import FeatureCache
from core.assist.forest import PixelForest, balanced_subsample

SETTINGS = AssistSettings(features=FeatureSettings((1.0, 2.0, 4.0)), forest=ForestSettings(trees=12),
                          max_pixels=10_000_000, tidy=False)


def two_textures(rng: np.random.Generator, height: int = 48, width: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Left: grey noise (rough); right: a flat grey of the same mean. Truth: 1 on the rough side."""
    image = np.full((height, width), 128.0, np.float32)
    image[:, : width // 2] += rng.normal(0, 40, (height, width // 2))
    truth = np.zeros((height, width), np.uint8)
    truth[:, : width // 2] = 1
    return np.clip(image, 0, 255).astype(np.uint8), truth


def strokes(shape: tuple[int, int]) -> np.ndarray:
    scribbles = np.zeros(shape, np.uint8)
    scribbles[10, 4:20] = OBJECT          # one short line on each side
    scribbles[30, shape[1] - 20:shape[1] - 4] = BACKGROUND
    return scribbles


def test_the_forest_learns_a_two_texture_image_from_two_strokes(rng):
    image, truth = two_textures(rng)
    assistant = ScribbleAssistant(SETTINGS)
    probability = assistant.update("a", image, strokes(truth.shape))
    assert probability.shape == truth.shape and probability.dtype == np.float32
    inner = np.ones(truth.shape, bool)
    inner[:, 28:36] = False  # the band where the filters see both sides
    accuracy = np.mean((probability >= 0.5)[inner] == (truth == 1)[inner])
    assert accuracy > 0.95
    assert assist_uncertainty(probability)["entropy"] < 0.5


def test_it_learns_from_the_strokes_of_every_image_so_far(rng):
    image, truth = two_textures(rng)
    assistant = ScribbleAssistant(SETTINGS)
    only_object = np.where(strokes(truth.shape) == OBJECT, OBJECT, 0).astype(np.uint8)
    assert assistant.update("a", image, only_object) is None  # one class: nothing to learn yet
    other, _ = two_textures(np.random.default_rng(1))
    only_background = np.where(strokes(truth.shape) == BACKGROUND, BACKGROUND, 0).astype(np.uint8)
    probability = assistant.update("b", other, only_background)
    assert assistant.scribbled_ids == ["a", "b"]
    assert np.mean((probability >= 0.5)[:, :24] == 1) > 0.9 and np.mean(probability[:, 40:] < 0.5) > 0.9
    assistant.set_scribbles("b", other, np.zeros(truth.shape, np.uint8))  # erased: forgotten
    assert assistant.scribbled_ids == ["a"] and not assistant.train()


def test_the_working_scale_shrinks_features_and_upsamples_the_probability(rng):
    image, truth = two_textures(rng, 96, 128)
    settings = AssistSettings(features=SETTINGS.features, forest=SETTINGS.forest, max_pixels=96 * 128 // 4)
    assistant = ScribbleAssistant(settings)
    scribbles = np.zeros(truth.shape, np.uint8)
    scribbles[20, 8:40], scribbles[60, 88:120] = OBJECT, BACKGROUND
    probability = assistant.update("a", image, scribbles)
    assert assistant.features("a", image).shape[:2] == (48, 64)
    assert probability.shape == truth.shape
    assert np.mean((probability >= 0.5)[:, :48] == 1) > 0.9


def test_snapshot_predicts_like_the_assistant_for_another_thread(rng):
    image, truth = two_textures(rng)
    assistant = ScribbleAssistant(SETTINGS)
    assert assistant.snapshot() is None
    expected = assistant.update("a", image, strokes(truth.shape))
    np.testing.assert_allclose(assistant.snapshot().predict(image), expected, atol=1e-6)


def test_subsampling_bounds_each_class_and_needs_both():
    labels = np.array([0] * 50 + [1] * 5, np.uint8)
    keep = balanced_subsample(labels, 10, seed=0)
    assert np.sum(labels[keep] == 0) == 10 and np.sum(labels[keep] == 1) == 5
    with pytest.raises(ValueError, match="both"):
        PixelForest().fit(np.zeros((3, 2), np.float32), np.ones(3, np.uint8))


def test_the_feature_cache_drops_the_least_recently_used_beyond_its_byte_budget():
    cache = FeatureCache(max_bytes=2 * 400)
    made = []

    def make(name):
        return lambda: made.append(name) or np.zeros(100, np.float32)  # 400 bytes

    cache.get("a", make("a"))
    cache.get("b", make("b"))
    cache.get("a", make("a"))  # hit: a is now the newest
    cache.get("c", make("c"))  # evicts b
    assert made == ["a", "b", "c"] and "b" not in cache and "a" in cache and cache.nbytes == 800
    assert (cache.hits, cache.misses) == (1, 3)


def test_tidy_drops_blobs_no_object_stroke_touches_and_fills_holes():
    probability = np.zeros((20, 30), np.float32)
    probability[2:12, 2:12] = 0.9
    probability[5:8, 5:8] = 0.1          # a hole inside the marked blob
    probability[14:18, 20:28] = 0.8      # a stray blob
    scribbles = np.zeros((20, 30), np.uint8)
    scribbles[3, 3:6] = OBJECT
    scribbles[19, 0:3] = BACKGROUND
    tidy = tidy_probability(probability, scribbles)
    assert np.all(tidy[14:18, 20:28] == 0) and np.all(tidy[5:8, 5:8] == 1)
    assert np.all(tidy[2:12, 2:5][probability[2:12, 2:5] > 0.5] >= 0.9)
    untouched = tidy_probability(probability, np.zeros_like(scribbles))  # no object strokes: keep every blob
    assert np.all(untouched[14:18, 20:28] == 0.8) and np.all(untouched[5:8, 5:8] == 1)
    largest = tidy_probability(probability, np.zeros_like(scribbles), largest_without_strokes=True)
    assert np.all(largest[14:18, 20:28] == 0) and np.all(largest[2:5, 2:12] == 0.9)


def test_a_snapshot_reads_as_a_segmentation_model_to_the_compatibility_check(rng):
    from core.compat import data_profile, incompatibility, model_profile
    from core.data.base import ArrayDataset

    image, truth = two_textures(rng)
    colour = np.dstack([image] * 3)
    assistant = ScribbleAssistant(SETTINGS)
    assistant.update("a", colour, strokes(truth.shape))
    data = ArrayDataset([colour], [truth], "segmentation", "demo", "carvana", ["background", "car"], ids=["a"])
    assert incompatibility(model_profile(assistant.snapshot()), data_profile(data)) is None


def test_importing_the_assist_does_not_import_sklearn():
    """sklearn costs ~1.5 s to import: the GUI imports core.assist at start-up, the forest loads it when fitted."""
    import subprocess
    import sys

    code = "import sys, core.assist; print('sklearn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.stdout.strip() == "False"
