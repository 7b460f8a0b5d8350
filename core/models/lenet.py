"""The torch twin of the NumPy MNIST net: same layers, same order, same indices.

The NumPy engine's ``to_torch`` builds this exact ``nn.Sequential``, so a
state_dict moves between the two engines unchanged (keys ``0.weight``, ``1.running_mean``...).
"""

from __future__ import annotations

from torch import nn


def build_lenet(in_channels: int = 1, num_classes: int = 10, dropout: float = 0.25) -> nn.Sequential:
    """(N, in_channels, 28, 28) -> (N, num_classes) logits."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 16, 3, padding=1),  # 0: (N, 16, 28, 28)
        nn.BatchNorm2d(16),                        # 1
        nn.ReLU(),                                 # 2
        nn.MaxPool2d(2),                           # 3: (N, 16, 14, 14)
        nn.Conv2d(16, 32, 3, padding=1),           # 4: (N, 32, 14, 14)
        nn.BatchNorm2d(32),                        # 5
        nn.ReLU(),                                 # 6
        nn.MaxPool2d(2),                           # 7: (N, 32, 7, 7)
        nn.Flatten(),                              # 8: (N, 1568)
        nn.Linear(32 * 7 * 7, 128),                # 9
        nn.ReLU(),                                 # 10
        nn.Dropout(dropout),                       # 11
        nn.Linear(128, num_classes),               # 12: (N, num_classes)
    )
