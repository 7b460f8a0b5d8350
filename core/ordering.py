"""Which dataset items the browser shows, and in what order (plain numpy; the GUI's browser uses it).

Scores come from the current model (see ``core.ranking``): items without a
score (NaN) always go last, whatever the direction.
"""

from __future__ import annotations

import numpy as np

ALL_SPLITS = "all"
SORT_KEYS = {
    "name": "Name",
    "label": "Label",
    "error": "Model error (worst first)",
    "uncertainty": "Uncertainty (highest first)",
}


def split_indices(splits: dict[str, np.ndarray], count: int, split: str) -> np.ndarray:
    """Dataset indices in ``split`` (all items for ``"all"`` or an unknown split)."""
    if split == ALL_SPLITS or split not in splits:
        return np.arange(count, dtype=np.int64)
    return np.sort(np.asarray(splits[split], dtype=np.int64))


def sort_indices(indices: np.ndarray, key: str, *, names: list[str] | None = None,
                 labels: np.ndarray | None = None,
                 scores: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """``indices`` ordered by ``key``; stable, so ties keep dataset order."""
    indices = np.asarray(indices, dtype=np.int64)
    if key == "name" and names is not None:
        order = sorted(range(len(indices)), key=lambda row: names[row])
        return indices[np.asarray(order, dtype=np.int64)] if order else indices
    if key == "label" and labels is not None:
        values = labels[indices].astype(np.float64)
        return _by_values(indices, values, descending=False)
    score = (scores or {}).get(key)
    if score is not None:
        # both scores grow with how badly the model does: highest first
        return _by_values(indices, score[indices].astype(np.float64), descending=True)
    return indices


def _by_values(indices: np.ndarray, values: np.ndarray, *, descending: bool) -> np.ndarray:
    known = ~np.isnan(values)
    keyed = np.where(known, -values if descending else values, 0.0)
    order = np.lexsort((keyed, ~known))  # last key is primary: known items first
    return indices[order]
