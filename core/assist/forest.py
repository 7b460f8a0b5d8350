"""PixelForest: a random forest from pixel features to the probability of "object".

scikit-learn's forest, not OpenCV's: the OpenCV 5 wheels no longer ship
``cv2.ml``, and on the Carvana scribbles sklearn's forest trained 2.6x faster
with the same Dice (docs/annotation.md). Fitting and prediction use threads
(joblib's threading backend for forests), so nothing forks from the GUI.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

PREDICT_ROWS = 65536  # rows per predict call: bounds the (rows, trees) temporaries


@dataclass(frozen=True)
class ForestSettings:
    """Small, shallow-ish trees: a few thousand samples need no more, and depth is prediction time."""

    trees: int = 16
    max_depth: int = 12
    min_samples_leaf: int = 1  # more smooths the probability (leaves average several pixels)
    max_samples_per_class: int = 4000  # subsample per class: bounds training time as strokes pile up
    threads: int = 2
    seed: int = 0

    def __post_init__(self):
        if self.trees < 1 or self.max_depth < 1 or self.min_samples_leaf < 1 or self.max_samples_per_class < 1 or self.threads < 1:
            raise ValueError(f"forest settings must be positive; got {self}")


def load_sklearn() -> None:
    """Import scikit-learn's forest now: about 1.5-2 s the first time in a process, free after.

    The assistant calls it on the first stroke, which shows no overlay anyway (one
    class), so the import is not paid by the first overlay, nor at start-up.
    """
    import sklearn.ensemble  # noqa: F401


def balanced_subsample(labels: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """Indices of at most ``per_class`` samples of each label, drawn with a fixed seed."""
    rng = np.random.default_rng(seed)
    keep = []
    for value in np.unique(labels):
        members = np.flatnonzero(labels == value)
        if len(members) > per_class:
            members = np.sort(rng.choice(members, per_class, replace=False))
        keep.append(members)
    return np.concatenate(keep) if keep else np.zeros(0, np.int64)


class PixelForest:
    """``fit(samples, labels)`` then ``probability(features)``; labels are 1 object, 0 background."""

    def __init__(self, settings: ForestSettings = ForestSettings()):
        self.settings = settings
        self._model = None  # sklearn's RandomForestClassifier once fitted

    @property
    def fitted(self) -> bool:
        return self._model is not None

    def fit(self, samples: np.ndarray, labels: np.ndarray) -> None:
        """Train on (N, F) samples; needs both labels present."""
        labels = np.asarray(labels, np.uint8)
        if samples.ndim != 2 or len(samples) != len(labels):
            raise ValueError(f"samples must be (N, F) with N labels; got {samples.shape} and {labels.shape}")
        if set(np.unique(labels).tolist()) != {0, 1}:
            raise ValueError("the forest needs samples of both object and background")
        from sklearn.ensemble import RandomForestClassifier  # here: importing sklearn costs ~1.5 s of start-up

        s = self.settings
        keep = balanced_subsample(labels, s.max_samples_per_class, s.seed)
        model = RandomForestClassifier(n_estimators=s.trees, max_depth=s.max_depth, max_features="sqrt",
                                       min_samples_leaf=s.min_samples_leaf,
                                       n_jobs=s.threads, random_state=s.seed)
        model.fit(samples[keep], labels[keep])
        model.n_jobs = 1  # prediction splits rows over threads itself (fewer, larger jobs)
        self._model = model

    def probability(self, features: np.ndarray) -> np.ndarray:
        """(H, W, F) or (N, F) float32 features -> probability of object, (H, W) or (N,) float32."""
        if self._model is None:
            raise RuntimeError("the forest has not been trained yet")
        rows = features.reshape(-1, features.shape[-1])
        out = np.empty(len(rows), np.float32)
        starts = range(0, len(rows), PREDICT_ROWS)

        def predict_chunk(start: int) -> None:
            out[start:start + PREDICT_ROWS] = self._model.predict_proba(rows[start:start + PREDICT_ROWS])[:, 1]

        # one chunk per thread call: sklearn's tree traversal releases the GIL
        with ThreadPoolExecutor(self.settings.threads) as pool:
            list(pool.map(predict_chunk, starts))
        return out.reshape(features.shape[:-1])
