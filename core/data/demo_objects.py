"""A 10-class 32x32 colour set standing in for CIFAR-10 offline.

Each class is a crude drawing of its namesake (a plane's cross, a car's body
and wheels, a cat's pointed ears, a dog's floppy ears, a ship on water...)
placed at a random position, scale and colour over a scene background that
matches the class only most of the time, with clutter and noise on top. Cat
and dog, deer and horse, car and truck share colours and backgrounds, so a
model has to look at shape, as on the real set.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SIZE = 32
CANVAS = 64  # drawn at 2x, then area-downsampled for anti-aliased edges
CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck"]

# Scene per class (top colour, bottom colour, horizon fraction); BGR-free: RGB.
SCENES = {
    "sky": ((120, 170, 230), (200, 225, 250), 1.0),
    "road": ((150, 170, 190), (90, 90, 95), 0.6),
    "grass": ((140, 180, 220), (70, 130, 50), 0.45),
    "forest": ((40, 80, 40), (90, 70, 40), 0.7),
    "indoor": ((190, 170, 140), (120, 90, 70), 0.7),
    "water": ((150, 190, 230), (30, 70, 140), 0.55),
    "pond": ((60, 100, 60), (50, 80, 90), 0.3),
}
CLASS_SCENES = ["sky", "road", "sky", "indoor", "forest", "indoor", "pond", "grass", "water", "road"]
ANIMAL_BROWNS = [(140, 90, 50), (110, 70, 40), (170, 120, 70), (60, 45, 35), (200, 190, 180)]
VIVID = [(200, 30, 30), (30, 60, 190), (230, 200, 40), (240, 240, 240), (30, 30, 30), (40, 150, 60)]


def _colour(palette, rng: np.random.Generator, jitter: float = 15.0) -> tuple[int, int, int]:
    base = np.array(palette[rng.integers(len(palette))], np.float32)
    return tuple(int(c) for c in np.clip(base + rng.normal(0, jitter, 3), 0, 255))


def _poly(image, points, colour) -> None:
    cv2.fillPoly(image, [np.round(np.asarray(points)).astype(np.int32)], colour, cv2.LINE_AA)


def _ellipse(image, centre, axes, angle, colour) -> None:
    centre = tuple(int(round(v)) for v in centre)
    axes = tuple(max(1, int(round(v))) for v in axes)
    cv2.ellipse(image, centre, axes, angle, 0, 360, colour, -1, cv2.LINE_AA)


def _line(image, start, end, colour, width) -> None:
    cv2.line(image, tuple(int(round(v)) for v in start), tuple(int(round(v)) for v in end),
             colour, max(1, int(round(width))), cv2.LINE_AA)


def _airplane(img, x, y, s, rng):
    colour = _colour([(220, 220, 225), (180, 185, 190), (240, 240, 240)], rng, 15)
    _ellipse(img, (x, y), (s, s * 0.16), 0, colour)
    _poly(img, [(x - s * 0.1, y), (x + s * 0.25, y), (x - s * 0.2, y + s * 0.9), (x - s * 0.4, y + s * 0.9)], colour)
    _poly(img, [(x - s * 0.1, y), (x + s * 0.2, y), (x - s * 0.25, y - s * 0.8), (x - s * 0.4, y - s * 0.8)], colour)
    _poly(img, [(x - s * 0.8, y), (x - s, y), (x - s * 1.05, y - s * 0.4), (x - s * 0.9, y - s * 0.4)], colour)


def _automobile(img, x, y, s, rng):
    body = _colour(VIVID, rng)
    _poly(img, [(x - s, y), (x + s, y), (x + s, y - s * 0.35), (x - s, y - s * 0.35)], body)
    _poly(img, [(x - s * 0.55, y - s * 0.3), (x + s * 0.45, y - s * 0.3),
                (x + s * 0.25, y - s * 0.7), (x - s * 0.4, y - s * 0.7)], body)
    _poly(img, [(x - s * 0.45, y - s * 0.35), (x + s * 0.35, y - s * 0.35),
                (x + s * 0.2, y - s * 0.62), (x - s * 0.33, y - s * 0.62)], (150, 190, 220))
    for wheel_x in (x - s * 0.6, x + s * 0.6):
        _ellipse(img, (wheel_x, y), (s * 0.22, s * 0.22), 0, (20, 20, 20))


def _bird(img, x, y, s, rng):
    colour = _colour([(120, 80, 40), (40, 70, 160), (180, 40, 30), (90, 90, 90)], rng)
    _ellipse(img, (x, y), (s * 0.5, s * 0.3), -15, colour)
    _ellipse(img, (x + s * 0.45, y - s * 0.3), (s * 0.2, s * 0.2), 0, colour)
    _poly(img, [(x + s * 0.6, y - s * 0.35), (x + s * 0.9, y - s * 0.28), (x + s * 0.6, y - s * 0.22)], (230, 160, 30))
    _poly(img, [(x - s * 0.4, y), (x - s * 0.9, y - s * 0.15), (x - s * 0.85, y + s * 0.15)], colour)
    wing = tuple(int(c * 0.6) for c in colour)
    _poly(img, [(x - s * 0.2, y - s * 0.1), (x + s * 0.2, y - s * 0.1), (x - s * 0.3, y - s * 0.8)], wing)


def _cat(img, x, y, s, rng):
    colour = _colour(ANIMAL_BROWNS + [(230, 140, 50)], rng)
    for side in (-1, 1):
        _poly(img, [(x + side * s * 0.75, y - s * 0.2), (x + side * s * 0.15, y - s * 0.5),
                    (x + side * s * 0.65, y - s * 1.05)], colour)
    _ellipse(img, (x, y), (s * 0.7, s * 0.6), 0, colour)
    for side in (-1, 1):
        _ellipse(img, (x + side * s * 0.28, y - s * 0.1), (s * 0.12, s * 0.09), 0, (170, 200, 40))
    _poly(img, [(x - s * 0.08, y + s * 0.12), (x + s * 0.08, y + s * 0.12), (x, y + s * 0.22)], (220, 120, 130))


def _dog(img, x, y, s, rng):
    colour = _colour(ANIMAL_BROWNS, rng)
    ear = tuple(int(c * 0.7) for c in colour)
    _ellipse(img, (x, y), (s * 0.6, s * 0.7), 0, colour)
    for side in (-1, 1):
        _ellipse(img, (x + side * s * 0.6, y + s * 0.05), (s * 0.2, s * 0.5), side * 15, ear)
    _ellipse(img, (x, y + s * 0.35), (s * 0.32, s * 0.25), 0, tuple(min(255, c + 40) for c in colour))
    _ellipse(img, (x, y + s * 0.25), (s * 0.1, s * 0.08), 0, (15, 15, 15))
    for side in (-1, 1):
        _ellipse(img, (x + side * s * 0.25, y - s * 0.15), (s * 0.08, s * 0.08), 0, (20, 20, 20))


def _deer(img, x, y, s, rng):
    colour = _colour([(150, 100, 55), (120, 80, 45), (170, 120, 70)], rng)
    _four_legged(img, x, y, s, colour, neck_angle=-70)
    head = (x + s * 0.75, y - s * 0.85)
    for side in (-1, 1):
        tip = (head[0] + side * s * 0.3, head[1] - s * 0.55)
        _line(img, head, tip, (210, 190, 150), s * 0.05)
        _line(img, ((head[0] + tip[0]) / 2, (head[1] + tip[1]) / 2),
              ((head[0] + tip[0]) / 2 + side * s * 0.25, (head[1] + tip[1]) / 2 - s * 0.05), (210, 190, 150), s * 0.05)


def _horse(img, x, y, s, rng):
    colour = _colour(ANIMAL_BROWNS, rng)
    _four_legged(img, x, y, s, colour, neck_angle=-50)
    _line(img, (x - s * 0.6, y - s * 0.15), (x - s * 0.85, y + s * 0.4), tuple(int(c * 0.5) for c in colour), s * 0.12)


def _four_legged(img, x, y, s, colour, neck_angle):
    _ellipse(img, (x, y - s * 0.1), (s * 0.65, s * 0.28), 0, colour)
    for leg_x in (-0.5, -0.3, 0.35, 0.55):
        _line(img, (x + leg_x * s, y), (x + leg_x * s, y + s * 0.75), colour, s * 0.1)
    angle = math.radians(neck_angle)
    neck_end = (x + s * 0.5 + math.cos(angle) * s * 0.6, y - s * 0.2 + math.sin(angle) * s * 0.6)
    _line(img, (x + s * 0.5, y - s * 0.2), neck_end, colour, s * 0.2)
    _ellipse(img, (neck_end[0] + s * 0.12, neck_end[1]), (s * 0.22, s * 0.12), 20, colour)


def _frog(img, x, y, s, rng):
    colour = _colour([(60, 150, 50), (120, 170, 40), (40, 110, 60)], rng)
    for side in (-1, 1):
        _ellipse(img, (x + side * s * 0.7, y + s * 0.25), (s * 0.35, s * 0.15), side * 30, colour)
    _ellipse(img, (x, y), (s * 0.75, s * 0.4), 0, colour)
    for side in (-1, 1):
        _ellipse(img, (x + side * s * 0.35, y - s * 0.35), (s * 0.16, s * 0.16), 0, colour)
        _ellipse(img, (x + side * s * 0.35, y - s * 0.38), (s * 0.07, s * 0.07), 0, (10, 10, 10))
    for _ in range(3):
        spot = (x + rng.uniform(-0.5, 0.5) * s, y + rng.uniform(-0.1, 0.25) * s)
        _ellipse(img, spot, (s * 0.08, s * 0.06), 0, tuple(int(c * 0.5) for c in colour))


def _ship(img, x, y, s, rng):
    hull = _colour([(40, 40, 50), (160, 30, 30), (230, 230, 230), (30, 50, 110)], rng)
    _poly(img, [(x - s, y - s * 0.25), (x + s * 1.05, y - s * 0.35), (x + s * 0.8, y + s * 0.15), (x - s * 0.85, y + s * 0.15)], hull)
    _poly(img, [(x - s * 0.5, y - s * 0.25), (x + s * 0.3, y - s * 0.3),
                (x + s * 0.3, y - s * 0.6), (x - s * 0.5, y - s * 0.55)], (235, 235, 230))
    _line(img, (x - s * 0.1, y - s * 0.55), (x - s * 0.1, y - s * 1.1), (60, 60, 60), s * 0.06)


def _truck(img, x, y, s, rng):
    box = _colour(VIVID + [(200, 200, 200)], rng)
    cab = _colour(VIVID, rng)
    _poly(img, [(x - s, y - s * 0.1), (x + s * 0.35, y - s * 0.1), (x + s * 0.35, y - s * 0.95), (x - s, y - s * 0.95)], box)
    _poly(img, [(x + s * 0.4, y - s * 0.1), (x + s, y - s * 0.1), (x + s, y - s * 0.45),
                (x + s * 0.8, y - s * 0.7), (x + s * 0.4, y - s * 0.7)], cab)
    _poly(img, [(x + s * 0.55, y - s * 0.45), (x + s * 0.9, y - s * 0.45), (x + s * 0.78, y - s * 0.62), (x + s * 0.55, y - s * 0.62)], (150, 190, 220))
    for wheel_x in (-0.75, -0.45, 0.7):
        _ellipse(img, (x + wheel_x * s, y), (s * 0.17, s * 0.17), 0, (20, 20, 20))


DRAWERS = [_airplane, _automobile, _bird, _cat, _deer, _dog, _frog, _horse, _ship, _truck]


def _background(scene: str, rng: np.random.Generator) -> np.ndarray:
    top, bottom, horizon = SCENES[scene]
    jitter = rng.normal(0, 20, (2, 3))
    top = np.clip(np.array(top) + jitter[0], 0, 255)
    bottom = np.clip(np.array(bottom) + jitter[1], 0, 255)
    horizon_row = CANVAS * min(max(horizon + 0.08 * rng.standard_normal(), 0.2), 1.0)
    blend = np.clip((np.arange(CANVAS) - horizon_row) / 6.0 + 0.5, 0, 1)[:, None]
    column = (top * (1 - blend) + bottom * blend).astype(np.uint8)  # (CANVAS, 3)
    return np.ascontiguousarray(np.repeat(column[:, None, :], CANVAS, axis=1))


def _clutter(image: np.ndarray, rng: np.random.Generator, most: int = 7) -> None:
    count = int(rng.integers(1, most))
    params = rng.integers(0, 256, (count, 7)).tolist()  # colour x3, x, y, size, shape
    for red, green, blue, x, y, size, shape in params:
        x, y, size = x % CANVAS, y % CANVAS, 2 + size % 8
        if shape % 2:
            cv2.rectangle(image, (x, y), (x + size, y + size // 2 + 1), (red, green, blue), -1)
        else:
            cv2.circle(image, (x, y), size // 2 + 1, (red, green, blue), -1, cv2.LINE_AA)


def render_object(label: int, rng: np.random.Generator) -> np.ndarray:
    """One uint8 (32, 32, 3) RGB image of class ``label``."""
    scene = CLASS_SCENES[label] if rng.random() < 0.7 else CLASS_SCENES[rng.integers(10)]
    image = _background(scene, rng)
    _clutter(image, rng)
    scale = rng.uniform(11, 21)
    x = CANVAS / 2 + rng.uniform(-9, 9)
    y = CANVAS / 2 + rng.uniform(-6, 9)
    DRAWERS[label](image, x, y, scale, rng)
    if rng.random() < 0.5:  # occluders in front of the object
        _clutter(image, rng, most=3)
    if rng.random() < 0.5:
        image = image[:, ::-1]
    turn = cv2.getRotationMatrix2D((x, y), rng.uniform(-15, 15), 1.0)
    image = cv2.warpAffine(np.ascontiguousarray(image), turn, (CANVAS, CANVAS),
                           borderMode=cv2.BORDER_REFLECT)
    image = cv2.resize(image, (SIZE, SIZE), interpolation=cv2.INTER_AREA).astype(np.float32)
    image *= rng.uniform(0.7, 1.2)  # exposure
    image += rng.uniform(2, 12) * rng.standard_normal(image.shape, dtype=np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)


def make_objects(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``count`` images with balanced labels: (N, 32, 32, 3) uint8 RGB and (N,) int64."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(count) % 10).astype(np.int64)
    images = np.empty((count, SIZE, SIZE, 3), np.uint8)
    for index, label in enumerate(labels):
        images[index] = render_object(int(label), rng)
    return images, labels
