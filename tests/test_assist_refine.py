"""GrabCut seeded by the forest's probability: snaps to the image's colour edges, keeps the strokes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from core.assist import BACKGROUND, OBJECT, AssistSettings, FeatureSettings, ForestSettings, ScribbleAssistant
from core.assist.refine import grabcut_refine, grabcut_trimap
from core.ranking import dice


def red_disc(rng: np.random.Generator, size: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """A noisy red disc on a noisy grey background, and its true mask."""
    truth = np.zeros((size, size), np.uint8)
    cv2.circle(truth, (size // 2, size // 2), size // 4, 1, -1)
    image = np.where(truth[..., None] > 0, np.array([200, 40, 40]), np.array([128, 128, 128]))
    image = np.clip(image + rng.normal(0, 12, image.shape), 0, 255).astype(np.uint8)
    return image, truth


def test_the_trimap_makes_strokes_and_confident_pixels_sure_and_the_rest_probable():
    probability = np.array([[0.02, 0.3, 0.6, 0.97]], np.float32)
    assert grabcut_trimap(probability, None, 0.0).tolist() == [[cv2.GC_PR_BGD, cv2.GC_PR_BGD, cv2.GC_PR_FGD,
                                                                 cv2.GC_PR_FGD]]
    assert grabcut_trimap(probability, None, 0.05).tolist() == [[cv2.GC_BGD, cv2.GC_PR_BGD, cv2.GC_PR_FGD,
                                                                  cv2.GC_FGD]]
    marks = np.array([[OBJECT, 0, BACKGROUND, 0]], np.uint8)
    assert grabcut_trimap(probability, marks, 0.0).tolist() == [[cv2.GC_FGD, cv2.GC_PR_BGD, cv2.GC_BGD,
                                                                  cv2.GC_PR_FGD]]


def test_grabcut_snaps_a_shifted_probability_to_the_colour_edge(rng):
    image, truth = red_disc(rng)
    shifted = np.roll(truth, 6, axis=1).astype(np.float32) * 0.8 + 0.1  # the forest's disc, 6 px off
    refined = grabcut_refine(image, shifted, iterations=3)
    assert dice(shifted, truth) < 0.88
    assert dice(refined, truth) > 0.97
    chosen = refined >= 0.5  # object pixels sit at (1 + p) / 2, the others at p / 2
    np.testing.assert_allclose(refined[chosen], 0.5 * (1 + shifted[chosen]))
    np.testing.assert_allclose(refined[~chosen], 0.5 * shifted[~chosen])
    coarse = grabcut_refine(image, shifted, iterations=3, max_pixels=40 * 40)  # cut at half the size
    assert dice(coarse, truth) > 0.95


def test_grabcut_keeps_the_strokes_and_gives_up_without_two_sides(rng):
    image, truth = red_disc(rng)
    marks = np.zeros(truth.shape, np.uint8)
    marks[2:6, 2:6] = OBJECT  # the user insists a grey corner is object
    refined = grabcut_refine(image, truth.astype(np.float32), marks)
    assert np.all(refined[2:6, 2:6] >= 0.5)
    everything = np.ones(truth.shape, np.float32)
    assert grabcut_refine(image, everything) is everything
    with pytest.raises(ValueError, match="differ"):
        grabcut_refine(image, everything[:-1])


def test_the_assistant_refines_its_prediction_with_grabcut_when_asked(rng):
    image, truth = red_disc(rng)
    scribbles = np.zeros(truth.shape, np.uint8)
    scribbles[40, 32:48] = OBJECT
    scribbles[5, 5:40] = BACKGROUND
    settings = AssistSettings(features=FeatureSettings((1.0, 2.0)), forest=ForestSettings(trees=8),
                              max_pixels=10_000_000, tidy=False, grabcut_iterations=2)
    probability = ScribbleAssistant(settings).update("a", image, scribbles)
    assert dice(probability, truth) > 0.95
    with pytest.raises(ValueError, match="grabcut"):
        AssistSettings(grabcut_sure=0.5)
    with pytest.raises(ValueError, match="grabcut"):
        AssistSettings(grabcut_max_pixels=10)


def test_an_image_without_strokes_keeps_only_its_largest_object_by_default(rng):
    image, truth = red_disc(rng)
    small = np.zeros_like(truth)
    cv2.circle(small, (10, 10), 6, 1, -1)  # a second, smaller red disc in a corner
    image[small > 0] = image[truth > 0][: int(small.sum())]
    scribbles = np.zeros(truth.shape, np.uint8)
    scribbles[40, 32:48] = OBJECT
    scribbles[70, 5:75] = BACKGROUND
    base = AssistSettings(features=FeatureSettings((1.0, 2.0)), forest=ForestSettings(trees=8),
                          max_pixels=10_000_000)
    assistant = ScribbleAssistant(base)
    assistant.update("scribbled", image, scribbles)
    unscribbled = assistant.predict("other", image)
    assert np.all(unscribbled[small > 0] < 0.5) and dice(unscribbled, truth) > 0.95
    assistant.settings = AssistSettings(features=base.features, forest=base.forest, max_pixels=base.max_pixels,
                                        largest_without_strokes=False)
    assert np.mean(assistant.predict("other", image)[small > 0] >= 0.5) > 0.9
