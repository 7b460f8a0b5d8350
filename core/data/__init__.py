"""Datasets: real on-disk formats, built-in demo data, masks and splits.

    from core.data import open_dataset, demo_dataset
    dataset = open_dataset("~/data/cifar-10-batches-py")   # format detected
    dataset = open_dataset(None, task="carvana")            # demo data

Never imports torch: readers return NumPy arrays through the ``Dataset``
protocol of ``core.data.base``.
"""

from core.data.base import ArrayDataset, Dataset, Sample, SplitView, split_view
from core.data.demo import demo_dataset
from core.data.open import open_dataset

__all__ = ["ArrayDataset", "Dataset", "Sample", "SplitView", "demo_dataset",
           "open_dataset", "split_view"]
