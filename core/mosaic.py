"""Tile many small 2-D arrays into one uint8 image for display (numpy only)."""

from __future__ import annotations

import math

import numpy as np

GAP_VALUE = 40  # dark grey between tiles


def normalise(tile: np.ndarray) -> np.ndarray:
    """Stretch ``tile`` to 0..255 (a constant tile becomes mid-grey)."""
    tile = np.asarray(tile, np.float64)
    low, high = float(np.min(tile)), float(np.max(tile))
    if high - low < 1e-12:
        return np.full(tile.shape, 128, np.uint8)
    return np.round((tile - low) / (high - low) * 255.0).astype(np.uint8)


def filter_tiles(weights: np.ndarray) -> list[np.ndarray]:
    """(out, in, kh, kw) conv weights -> one tile per output channel.

    Three input channels show as colour, anything else as grey (mean over inputs).
    """
    weights = np.asarray(weights)
    if weights.ndim != 4:
        raise ValueError(f"expected conv weights (out, in, kh, kw), got shape {weights.shape}")
    if weights.shape[1] == 3:
        return [normalise(w.transpose(1, 2, 0)) for w in weights]  # (kh, kw, 3)
    return [normalise(w.mean(axis=0)) for w in weights]


def map_tiles(feature_maps: np.ndarray, limit: int = 64) -> list[np.ndarray]:
    """(C, H, W) activations -> at most ``limit`` grey tiles."""
    feature_maps = np.asarray(feature_maps)
    if feature_maps.ndim == 4:  # (1, C, H, W) batch of one
        feature_maps = feature_maps[0]
    if feature_maps.ndim != 3:
        raise ValueError(f"expected feature maps (C, H, W), got shape {feature_maps.shape}")
    return [normalise(m) for m in feature_maps[:limit]]


def mosaic(tiles: list[np.ndarray], columns: int | None = None, gap: int = 1) -> np.ndarray:
    """Tiles of one shape on a grid with ``gap`` pixels between them; uint8 grey or RGB."""
    if not tiles:
        raise ValueError("no tiles to show")
    height, width = tiles[0].shape[:2]
    columns = columns or math.ceil(math.sqrt(len(tiles)))
    rows = math.ceil(len(tiles) / columns)
    shape = (rows * (height + gap) + gap, columns * (width + gap) + gap) + tiles[0].shape[2:]
    canvas = np.full(shape, GAP_VALUE, np.uint8)
    for number, tile in enumerate(tiles):
        top = gap + (number // columns) * (height + gap)
        left = gap + (number % columns) * (width + gap)
        canvas[top:top + height, left:left + width] = tile
    return canvas
