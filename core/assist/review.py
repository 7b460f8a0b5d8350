"""The assist's probability as review-queue scores, before any CNN is trained.

The review queue ranks images by how unsure a model is. A trained assist is
such a model: ``ScribbleAssistant.snapshot()`` gives an AssistPredictor whose
``predict(image)`` returns the (H, W) object probability the review scorer
expects, and this function turns one probability map into the same scores a
CNN's mask prediction gets (core.ranking.image_scores), so both rank alike.
"""

from __future__ import annotations

import numpy as np

from core.ranking import image_scores


def assist_uncertainty(probability: np.ndarray, truth: np.ndarray | None = None) -> dict[str, float]:
    """``entropy`` and ``max_prob`` uncertainty in [0, 1] (and ``error`` given a mask) of one image."""
    probability = np.asarray(probability, np.float32)
    if probability.ndim != 2:
        raise ValueError(f"an assist probability is (H, W); got shape {probability.shape}")
    return image_scores(probability, truth)
