"""Run-length encoding as in Carvana's ``train_masks.csv``.

Pixels are numbered from 1 in row-major order (left to right, then top to
bottom); the string lists ``start length`` pairs of the runs of 1s.
"""

from __future__ import annotations

import numpy as np


def rle_encode(mask: np.ndarray) -> str:
    """``"start length start length ..."`` of the non-zero pixels of a 2-D mask."""
    flat = (np.asarray(mask).reshape(-1) != 0).astype(np.int8)
    edges = np.diff(np.concatenate([[0], flat, [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    runs = np.empty(2 * len(starts), dtype=np.int64)
    runs[0::2] = starts + 1
    runs[1::2] = ends - starts
    return " ".join(map(str, runs.tolist()))


def rle_decode(rle: str, shape: tuple[int, int]) -> np.ndarray:
    """uint8 0/1 mask of ``shape`` (H, W); ValueError on a malformed string.

    Runs may come in any order but must not overlap or repeat, and have a
    length of at least 1: such strings come from a broken encoder, and
    silently merging them would train on a mask nobody drew.
    """
    height, width = int(shape[0]), int(shape[1])
    total = height * width
    tokens = str(rle).split()
    if any(not token.isdigit() for token in tokens):
        raise ValueError("run-length mask contains something other than non-negative integers")
    if any(len(token) > 15 for token in tokens):  # beyond any image's pixel count (and int64)
        raise ValueError(f"run-length mask has a number larger than a {width}x{height} image")
    numbers = np.asarray(tokens, dtype=np.int64)
    if numbers.size % 2:
        raise ValueError("run-length mask has an odd number of values (start/length pairs expected)")
    starts, lengths = numbers[0::2] - 1, numbers[1::2]
    if numbers.size and (starts.min() < 0 or lengths.min() < 1):
        raise ValueError("run-length mask has a start below 1 or a run shorter than 1")
    if numbers.size and (starts + lengths).max() > total:
        raise ValueError(f"run-length mask runs past the end of a {width}x{height} image")
    order = np.argsort(starts, kind="stable")
    starts, lengths = starts[order], lengths[order]
    if np.any(starts[1:] < starts[:-1] + lengths[:-1]):
        at = int(np.flatnonzero(starts[1:] < starts[:-1] + lengths[:-1])[0]) + 1
        raise ValueError(f"run-length mask has overlapping or repeated runs (at start {int(starts[at]) + 1})")
    flat = np.zeros(total + 1, dtype=np.int32)
    np.add.at(flat, starts, 1)
    np.add.at(flat, starts + lengths, -1)
    return (np.cumsum(flat[:-1]) > 0).astype(np.uint8).reshape(height, width)
