"""Handwritten-looking 28x28 digits drawn with OpenCV's Hershey fonts.

Each digit is rendered large with a random font, stroke width and slant, then
warped to 28x28 by a random affine map (rotation, scale, shear, shift),
blurred and speckled, so a model must learn shapes rather than pixels.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SIZE = 28
CANVAS = 64
FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
    cv2.FONT_HERSHEY_SCRIPT_COMPLEX,
    cv2.FONT_HERSHEY_PLAIN,
)
CLASS_NAMES = [str(digit) for digit in range(10)]


def render_digit(digit: int, rng: np.random.Generator) -> np.ndarray:
    """One uint8 (28, 28) image of ``digit``: white ink on black, like MNIST."""
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    font = int(FONTS[rng.integers(len(FONTS))])
    if rng.random() < 0.3:
        font |= cv2.FONT_ITALIC
    thickness = int(rng.integers(2, 7))
    (width, height), _ = cv2.getTextSize(str(digit), font, 1.0, thickness)
    scale = 40.0 / max(height, 1)
    (width, height), _ = cv2.getTextSize(str(digit), font, scale, thickness)
    origin = ((CANVAS - width) // 2, (CANVAS + height) // 2)
    cv2.putText(canvas, str(digit), origin, font, scale, 255, thickness, cv2.LINE_AA)
    image = cv2.warpAffine(canvas, _random_affine(rng), (SIZE, SIZE), flags=cv2.INTER_AREA)
    sigma = rng.uniform(0.0, 0.9)
    if sigma > 0.3:
        image = cv2.GaussianBlur(image, (3, 3), sigma)
    return _add_noise(image, rng)


def _random_affine(rng: np.random.Generator) -> np.ndarray:
    """Map the canvas centre to the image centre with jitter; (2, 3) float32."""
    angle = math.radians(rng.uniform(-15, 15))
    scale = rng.uniform(0.42, 0.52)  # 40 px glyph -> 17..21 px tall, like MNIST
    shear = rng.uniform(-0.3, 0.3)
    linear = scale * np.array([[math.cos(angle), -math.sin(angle)],
                               [math.sin(angle), math.cos(angle)]]) @ np.array([[1.0, shear], [0.0, 1.0]])
    shift = rng.uniform(-2.0, 2.0, size=2)
    centre_out = np.array([SIZE / 2, SIZE / 2]) + shift
    offset = centre_out - linear @ np.array([CANVAS / 2, CANVAS / 2])
    return np.hstack([linear, offset[:, None]]).astype(np.float32)


def _add_noise(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noisy = image.astype(np.float32)
    noisy += rng.normal(0.0, rng.uniform(0.0, 14.0), image.shape)
    if rng.random() < 0.25:  # stray specks, like scanned paper
        specks = rng.random(image.shape) < 0.01
        noisy[specks] = rng.uniform(80, 255)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def make_digits(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``count`` digits with balanced labels: images (N, 28, 28) uint8, labels (N,) int64."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(count) % 10).astype(np.int64)
    images = np.empty((count, SIZE, SIZE), np.uint8)
    for index, digit in enumerate(labels):
        images[index] = render_digit(int(digit), rng)
    return images, labels
