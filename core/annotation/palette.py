"""Class colours for label overlays: background transparent, objects distinct."""

from __future__ import annotations

import numpy as np

# Colour-blind-friendly first colours (Okabe-Ito), then evenly spread hues.
BASE_COLOURS = [(230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66),
                (0, 114, 178), (213, 94, 0), (204, 121, 167), (255, 255, 255)]


def default_palette(num_classes: int) -> np.ndarray:
    """(num_classes, 3) uint8 RGB; class 0 (background) is black and drawn transparent."""
    colours = [(0, 0, 0)]
    for index in range(1, num_classes):
        if index - 1 < len(BASE_COLOURS):
            colours.append(BASE_COLOURS[index - 1])
        else:
            hue = ((index * 0.618034) % 1.0) * 360
            colours.append(_hsv_to_rgb(hue, 0.75, 0.95))
    return np.array(colours, np.uint8)


def _hsv_to_rgb(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    chroma = value * saturation
    x = chroma * (1 - abs((hue / 60) % 2 - 1))
    m = value - chroma
    sector = int(hue // 60) % 6
    r, g, b = [(chroma, x, 0), (x, chroma, 0), (0, chroma, x), (0, x, chroma), (x, 0, chroma), (chroma, 0, x)][sector]
    return int(round((r + m) * 255)), int(round((g + m) * 255)), int(round((b + m) * 255))


def overlay_lut(palette: np.ndarray, alpha: int = 255) -> np.ndarray:
    """(256, 4) uint8 premultiplied RGBA lookup: ``lut[mask]`` is the overlay of a label mask."""
    lut = np.zeros((256, 4), np.uint8)
    colours = np.asarray(palette, np.uint16)[1:]
    lut[1:1 + len(colours), :3] = (colours * alpha // 255).astype(np.uint8)
    lut[1:1 + len(colours), 3] = alpha
    return lut
