"""Pixel features against values worked out by hand on small arrays."""

from __future__ import annotations

import numpy as np
import pytest

from core.assist.features import (FAMILIES, FeatureSettings, colour_planes, difference_of_gaussians, gaussian,
                                  gradient_magnitude, hessian_eigenvalues, laplacian_of_gaussian, pixel_features,
                                  structure_tensor_eigenvalues)

SIZE = 48
INNER = (slice(14, -14), slice(14, -14))  # away from the mirrored border (kernel radius 4 sigma + 1)


def grid() -> tuple[np.ndarray, np.ndarray]:
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    return x, y


def test_a_constant_image_has_zero_laplacian_and_difference_of_gaussians():
    flat = np.full((20, 30), 7.0, np.float32)
    np.testing.assert_allclose(gaussian(flat, 2.0), 7.0, atol=1e-5)
    np.testing.assert_allclose(laplacian_of_gaussian(flat, 1.6), 0.0, atol=1e-5)
    np.testing.assert_allclose(difference_of_gaussians(flat, 3.5), 0.0, atol=1e-5)
    np.testing.assert_allclose(gradient_magnitude(flat, 1.0), 0.0, atol=1e-5)


def test_the_gradient_of_the_ramp_3x_plus_4y_is_5_and_its_structure_tensor_is_25_and_0():
    x, y = grid()
    ramp = 3 * x + 4 * y
    np.testing.assert_allclose(gradient_magnitude(ramp, 1.0)[INNER], 5.0, atol=1e-3)
    larger, smaller = structure_tensor_eigenvalues(ramp, 1.0)
    np.testing.assert_allclose(larger[INNER], 25.0, atol=1e-2)  # [[9, 12], [12, 16]]
    np.testing.assert_allclose(smaller[INNER], 0.0, atol=1e-2)
    np.testing.assert_allclose(laplacian_of_gaussian(ramp, 1.0)[INNER], 0.0, atol=1e-3)


def test_hessian_eigenvalues_of_quadratics():
    x, y = (c - SIZE / 2 for c in grid())
    larger, smaller = hessian_eigenvalues(x * x + 3 * y * y, 1.0)  # Hessian diag(2, 6)
    np.testing.assert_allclose(larger[INNER], 6.0, atol=1e-2)
    np.testing.assert_allclose(smaller[INNER], 2.0, atol=1e-2)
    larger, smaller = hessian_eigenvalues((x + y) ** 2, 1.6)  # [[2, 2], [2, 2]]: eigenvalues 4 and 0
    np.testing.assert_allclose(larger[INNER], 4.0, atol=1e-2)
    np.testing.assert_allclose(smaller[INNER], 0.0, atol=1e-2)
    np.testing.assert_allclose(laplacian_of_gaussian(x * x + 3 * y * y, 1.0)[INNER], 8.0, atol=1e-2)


def test_pixel_features_stack_every_family_per_channel_and_scale_in_the_named_order():
    x, y = grid()
    image = np.dstack([3 * x + 4 * y, np.full_like(x, 5.0)])  # channel 1 is flat
    settings = FeatureSettings(sigmas=(1.0, 2.0))
    features = pixel_features(image, settings)
    assert features.shape == (SIZE, SIZE, settings.count(2)) == (SIZE, SIZE, 2 * 2 * len(FAMILIES))
    assert features.dtype == np.float32
    names = settings.names(2)
    assert len(names) == features.shape[-1]
    gradient = names.index("gradient(c0, 2)")
    np.testing.assert_allclose(features[..., gradient][INNER], 5.0, atol=1e-3)
    np.testing.assert_allclose(features[..., names.index("smoothed(c1, 1)")], 5.0, atol=1e-4)
    flat = [i for i, name in enumerate(names) if "(c1," in name and not name.startswith("smoothed")]
    np.testing.assert_allclose(features[..., flat], 0.0, atol=1e-4)


def test_grey_images_and_bad_settings():
    assert pixel_features(np.zeros((5, 6), np.uint8), FeatureSettings((1.0,))).shape == (5, 6, len(FAMILIES))
    with pytest.raises(ValueError, match="sigmas"):
        FeatureSettings(sigmas=(1.0, 0.0))
    with pytest.raises(ValueError, match="image"):
        pixel_features(np.zeros((2, 3, 4, 5), np.float32))


def test_lab_and_chroma_planes_of_pure_colours():
    # sRGB -> CIE L*a*b* (D65): white (100, 0, 0), red (53.24, 80.09, 67.20), chroma |(a, b)|
    image = np.zeros((2, 2, 3), np.uint8)
    image[0, :] = (255, 255, 255)
    image[1, :] = (255, 0, 0)
    lab = colour_planes(image, "lab")
    np.testing.assert_allclose(lab[0, 0], (100.0, 0.0, 0.0), atol=0.05)
    np.testing.assert_allclose(lab[1, 0], (53.24, 80.09, 67.20), atol=0.1)
    planes = colour_planes(image, "rgb+chroma")
    assert planes.shape == (2, 2, 4)
    np.testing.assert_allclose(planes[..., :3], image)
    np.testing.assert_allclose(planes[0, 0, 3], 0.0, atol=0.05)
    np.testing.assert_allclose(planes[1, 0, 3], np.hypot(80.09, 67.20), atol=0.1)


def test_chroma_features_are_named_and_counted():
    image = np.zeros((SIZE, SIZE, 3), np.uint8)
    image[..., 0] = 255  # pure red everywhere
    settings = FeatureSettings(sigmas=(1.0,), colour="rgb+chroma")
    features = pixel_features(image, settings)
    names = settings.names(3)
    assert features.shape[-1] == settings.count(3) == 4 * len(FAMILIES) == len(names)
    np.testing.assert_allclose(features[..., names.index("smoothed(c3, 1)")], np.hypot(80.09, 67.20), atol=0.1)
    np.testing.assert_allclose(features[..., names.index("smoothed(c0, 1)")], 255.0, atol=1e-3)
    assert FeatureSettings(colour="rgb+chroma").count(1) == 6 * len(FAMILIES)  # grey: one plane whatever it says
    with pytest.raises(ValueError, match="colour"):
        FeatureSettings(colour="hsv")
