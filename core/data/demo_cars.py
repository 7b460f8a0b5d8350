"""Car-like silhouettes with exact masks, standing in for Carvana offline.

Each car has fixed traits (colour, length, roof shape, whether it carries an
antenna) and is photographed from several views (facing left or right,
foreshortened as if turned, shifted, scaled), like Carvana's 16 views per car.
Side mirrors and a one-pixel antenna are the small, thin parts a coarse model
misses; the background is cluttered with car-coloured blobs and lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

HEIGHT, WIDTH = 128, 192
VIEWS_PER_CAR = 8
CLASS_NAMES = ["background", "car"]
PAINTS = [(200, 30, 30), (30, 60, 170), (235, 235, 235), (25, 25, 30), (150, 150, 160),
          (230, 190, 40), (40, 120, 60), (120, 20, 40)]


@dataclass(frozen=True)
class CarTraits:
    car_id: str
    paint: tuple[int, int, int]
    length: float       # body length as a fraction of the image width
    roof_front: float   # where the roof starts/ends along the body (0..1)
    roof_back: float
    roof_height: float  # cabin height relative to body height
    antenna: bool


def random_traits(rng: np.random.Generator) -> CarTraits:
    paint = np.clip(np.array(PAINTS[rng.integers(len(PAINTS))]) + rng.normal(0, 15, 3), 0, 255)
    return CarTraits(
        car_id="".join(f"{value:x}" for value in rng.integers(0, 16, 12)),
        paint=tuple(int(c) for c in paint),
        length=float(rng.uniform(0.55, 0.72)),
        roof_front=float(rng.uniform(0.2, 0.35)),
        roof_back=float(rng.uniform(0.68, 0.85)),
        roof_height=float(rng.uniform(0.7, 1.0)),
        antenna=bool(rng.random() < 0.6),
    )


def _points(points) -> list[np.ndarray]:
    return [np.round(np.asarray(points)).astype(np.int32)]


@dataclass(frozen=True)
class CarShapes:
    """One view's geometry in pixels: polygons, wheel circles, antenna segment."""

    body: list
    cabin: list
    window: list
    mirror: list
    wheels: list
    wheel_radius: float
    antenna: tuple | None
    length: float
    bottom: float


def _car_shapes(car: CarTraits, rng: np.random.Generator) -> CarShapes:
    """Random view of ``car``: facing, foreshortening, position and size."""
    turn = rng.uniform(0.0, 0.55)  # fraction of a quarter turn: shortens the car
    length = car.length * WIDTH * (1.0 - 0.45 * turn) * rng.uniform(0.9, 1.05)
    body_height = length * rng.uniform(0.2, 0.24)
    left = WIDTH / 2 - length / 2 + rng.uniform(-12, 12)
    bottom = HEIGHT * rng.uniform(0.7, 0.8)
    facing = 1 if rng.random() < 0.5 else -1

    def along(fraction: float) -> float:  # position along the body, front depends on facing
        return left + length * (fraction if facing > 0 else 1.0 - fraction)

    top = bottom - body_height
    roof = top - body_height * car.roof_height
    # The side mirror sticks out of the windscreen towards the front, in the air.
    mirror_x, mirror_y = along(car.roof_front - 0.056), top - 0.3 * (top - roof)
    antenna_x = along(car.roof_back - 0.05)
    return CarShapes(
        body=[(along(0.0), bottom - 6), (along(0.02), top + 4), (along(0.18), top), (along(0.98), top + 2),
              (along(1.0), bottom - 4), (along(0.97), bottom), (along(0.03), bottom)],
        cabin=[(along(car.roof_front - 0.08), top + 1), (along(car.roof_front), roof),
               (along(car.roof_back), roof), (along(car.roof_back + 0.1), top + 1)],
        window=[(along(car.roof_front - 0.03), top - 1), (along(car.roof_front + 0.02), roof + 3),
                (along(car.roof_back - 0.02), roof + 3), (along(car.roof_back + 0.05), top - 1)],
        mirror=[(mirror_x + facing * 2, mirror_y), (mirror_x - facing * 7, mirror_y - 2),
                (mirror_x - facing * 7, mirror_y + 3), (mirror_x + facing * 2, mirror_y + 3)],
        wheels=[(along(0.2), bottom), (along(0.8), bottom)], wheel_radius=body_height * 0.55,
        antenna=((antenna_x, roof), (antenna_x - facing * 4, roof - rng.uniform(14, 22))) if car.antenna else None,
        length=length, bottom=bottom)


def _draw_car(image: np.ndarray, mask: np.ndarray, car: CarTraits, rng: np.random.Generator) -> None:
    """Draw one view of ``car`` into ``image`` and its silhouette into ``mask``."""
    shapes = _car_shapes(car, rng)
    shadow = image.copy()
    cv2.ellipse(shadow, (int(WIDTH / 2), int(shapes.bottom + 2)), (int(shapes.length / 2), 5),
                0, 0, 360, (30, 30, 30), -1)
    image[:] = cv2.addWeighted(image, 0.5, shadow, 0.5, 0)
    # The same shapes go into the photo (paint, glass, tyres) and the mask (all 1).
    for target, paint, glass, tyre in ((image, car.paint, (60, 80, 100), (20, 20, 20)), (mask, 1, 1, 1)):
        for polygon, colour in ((shapes.cabin, paint), (shapes.body, paint), (shapes.window, glass),
                                (shapes.mirror, paint)):
            cv2.fillPoly(target, _points(polygon), colour)
        for centre in shapes.wheels:
            cv2.circle(target, tuple(int(v) for v in centre), int(shapes.wheel_radius), tyre, -1)
        if shapes.antenna is not None:
            base, tip = shapes.antenna
            cv2.line(target, tuple(int(v) for v in base), tuple(int(v) for v in tip), tyre, 1)


def _cluttered_background(rng: np.random.Generator) -> np.ndarray:
    wall = np.clip(np.array([170, 170, 175]) + rng.normal(0, 30, 3), 0, 255)
    floor = np.clip(np.array([110, 105, 100]) + rng.normal(0, 25, 3), 0, 255)
    horizon = int(HEIGHT * rng.uniform(0.45, 0.65))
    image = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    image[:horizon] = wall.astype(np.uint8)
    image[horizon:] = floor.astype(np.uint8)
    for _ in range(int(rng.integers(6, 14))):
        colour = PAINTS[rng.integers(len(PAINTS))] if rng.random() < 0.4 else rng.integers(0, 256, 3)
        colour = tuple(int(c) for c in colour)
        x, y = int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT))
        shape = rng.integers(3)
        if shape == 0:
            cv2.rectangle(image, (x, y), (x + int(rng.integers(4, 30)), y + int(rng.integers(4, 20))), colour, -1)
        elif shape == 1:
            cv2.circle(image, (x, y), int(rng.integers(2, 10)), colour, -1, cv2.LINE_AA)
        else:
            end = (x + int(rng.integers(-40, 40)), y + int(rng.integers(-40, 40)))
            cv2.line(image, (x, y), end, colour, int(rng.integers(1, 3)), cv2.LINE_AA)
    return image


def render_view(car: CarTraits, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One (128, 192, 3) uint8 RGB photo of ``car`` and its (128, 192) uint8 0/1 mask."""
    image = _cluttered_background(rng)
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    _draw_car(image, mask, car, rng)
    gain = rng.uniform(0.75, 1.2)
    noisy = image.astype(np.float32) * gain + rng.normal(0, rng.uniform(3, 10), image.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8), mask


def make_cars(count: int, seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    """``count`` views of ``ceil(count / 8)`` cars: images, masks and ids ``<car>_<NN>``."""
    rng = np.random.default_rng(seed)
    images, masks, ids = [], [], []
    for _ in range(math.ceil(count / VIEWS_PER_CAR)):
        car = random_traits(rng)
        for view in range(1, VIEWS_PER_CAR + 1):
            if len(ids) == count:
                break
            image, mask = render_view(car, rng)
            images.append(image)
            masks.append(mask)
            ids.append(f"{car.car_id}_{view:02d}")
    return images, masks, ids
