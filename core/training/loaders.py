"""Datasets -> torch DataLoaders: preprocessing, joint augmentation, workers.

Pixels go through the run's ``Preprocess`` (the same one the Predictor and the
exporter use): convert channels, resize, scale to 0..1, normalise. Augmentation
runs on the resized uint8 image (and mask) before normalising, training split
only. Workers are spawned, never forked, so a GUI process can train safely.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from core.data.base import Dataset, SplitView
from core.data.decode import default_working_height, mask_coverage
from core.data.decode_cache import DecodeCache, default_cache_dir, file_source
from core.errors import DataError
from core.preprocess import Preprocess
from core.tasks import TaskSpec

IMAGENET_STATS = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
SIZE_MULTIPLE = 16         # working sizes are multiples of 16 (U-Net depth 4)


def make_preprocess(spec: TaskSpec, dataset: Dataset, image_size: int | None) -> Preprocess:
    """The run's pixel recipe, from the task and the first training image.

    Classification: the task's fixed recipe (MNIST 1x28x28, CIFAR 3x32x32 with
    their published statistics); other folders 3 channels at ``image_size``
    (default: the task's working size) square. Segmentation: the working height
    is ``image_size``, by default the first image's height over 8, 4 or 2, the
    largest reduction that keeps at least the task's working height (JPEGs
    decode straight to it); the width keeps the image's aspect ratio, both
    multiples of 16 (Carvana 1918x1280 -> 160x240, the demo cars 128x192).
    ``image_size=0`` keeps each image's own size.
    """
    first = np.asarray(dataset[int(_first_index(dataset))].image)
    channels = 1 if first.ndim == 2 else 3
    if dataset.kind == "classification":
        if spec.preprocess is not None:
            return spec.preprocess
        side = image_size or spec.working_size(dataset.kind)
        return Preprocess(3, (side, side), *IMAGENET_STATS)
    if image_size == 0:
        _check_native_size(first)
        size = None
    else:
        height = image_size or default_working_height(first.shape[:2], spec.working_size(dataset.kind))
        width = height * first.shape[1] / first.shape[0]
        size = (_round_to(height), _round_to(width))
    if channels == 1:
        return Preprocess(1, size, (0.5,), (0.25,))
    return Preprocess(3, size, *IMAGENET_STATS)


def _check_native_size(image: np.ndarray) -> None:
    """Training at each image's own size must not start on photos that cannot fit a batch."""
    from core import limits

    limit = limits.TRAIN_PIXELS.value()
    height, width = image.shape[:2]
    if height * width > limit:
        raise ValueError(f"--image-size 0 trains at each image's own size, and the first is {width}x{height} "
                         f"= {height * width:,} pixels, above the limit of {limit:,}: pass a working "
                         f"height such as --image-size 512 ({limits.TRAIN_PIXELS.hint()})")


def _round_to(value: float, multiple: int = SIZE_MULTIPLE) -> int:
    return max(multiple, int(math.floor(value / multiple + 0.5)) * multiple)


def _first_index(dataset: Dataset) -> int:
    train = dataset.splits.get("train")
    return int(train[0]) if train is not None and len(train) else 0


def resize_mask(mask: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """Nearest-neighbour resize, so labels stay labels."""
    if size is None or mask.shape[:2] == tuple(size):
        return mask
    import cv2

    return cv2.resize(mask, (size[1], size[0]), interpolation=cv2.INTER_NEAREST)


class TorchDataset:
    """A Dataset-protocol view as (image, target[, weight]) tensors for a DataLoader.

    image: float32 (C, H, W) normalised; target: int64 class index, or float32
    (H, W) mask (0/1) for binary / int64 (H, W) labels for several classes.
    With ``soft_masks`` a binary target is the fraction of each working-size pixel
    the object covers at full size (area-averaged), not a nearest-neighbour 0/1:
    thresholded at 0.5 after bilinear upsampling, a model trained on it puts full
    resolution edges within a fraction of a working pixel (Carvana at 1/8 scale:
    full-size Dice ceiling 0.998 instead of 0.993).
    With ``changed_pixels`` (index -> bool (H, W) where the user's mask differs
    from the dataset's, or None) a third item is a float32 (H, W) loss weight
    map: ``changed_weight`` on changed pixels, 1 elsewhere.
    """

    def __init__(self, view: Dataset, preprocess: Preprocess, *, binary_mask: bool = True,
                 augmentation: Callable | None = None,
                 changed_pixels: Callable[[int], np.ndarray | None] | None = None,
                 changed_weight: float = 1.0, soft_masks: bool = False):
        self.view = view
        self.kind = view.kind
        self.preprocess = preprocess
        self.binary_mask = binary_mask
        self.augmentation = augmentation
        self.changed_pixels = changed_pixels
        self.changed_weight = float(changed_weight)
        self.cache = DecodeCache(preprocess.size, list(view.class_names), cache_dir=default_cache_dir())
        self.soft_masks = soft_masks and binary_mask

    def __len__(self) -> int:
        return len(self.view)

    def __getitem__(self, index: int):
        with _one_thread():
            return self._item(index)

    def _item(self, index: int):
        import torch

        pixels, target = self._decoded(index)
        image = torch.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1)))  # (C, H, W) uint8
        if self.kind == "classification":
            if self.augmentation is not None:
                image, _ = self.augmentation(image, None)
            return self._normalise(image), torch.tensor(int(target), dtype=torch.int64)
        if target is None:
            raise DataError(self.view.item_path(index) or self.view.item_id(index),
                            "this image has no mask; label it or leave it out of training")
        mask = torch.from_numpy(np.array(target))  # (H, W) uint8; a copy: cached masks are read-only
        weight = self._weight_map(index, mask) if self.changed_pixels is not None else None
        if self.augmentation is not None:
            image, mask, weight = self._augment(image, mask, weight)
        if self.soft_masks:
            target = mask.float() / 255.0
        else:
            target = (mask > 0).float() if self.binary_mask else mask.long()
        if weight is None:
            return self._normalise(image), target
        return self._normalise(image), target, weight

    def _decoded(self, index: int):
        """(uint8 (H, W, C) pixels at the working size, target): a mask target comes at
        the working size too, as labels or (``soft_masks``) coverage 0..255. Image and
        mask files are decoded reduced, once, through the cache; other items via the dataset."""
        source = file_source(self.view, index)
        if source is not None:
            image_path, mask_path, label = source
            pixels = self.preprocess.resize(self.preprocess.to_channels(self.cache.image(image_path)))
            if mask_path is None:
                return pixels, label
            if self.soft_masks:
                return pixels, self.cache.coverage(mask_path, image_path)
            return pixels, self.cache.mask(mask_path, image_path)
        sample = self.view[index]
        pixels = self.preprocess.resize(self.preprocess.to_channels(np.asarray(sample.image)))
        if self.kind == "classification" or sample.target is None:
            return pixels, sample.target
        resize = mask_coverage if self.soft_masks else resize_mask
        return pixels, resize(np.asarray(sample.target, dtype=np.uint8), pixels.shape[:2])

    def _augment(self, image, mask, weight):
        """Apply the joint transform; the weight map rides along as a second mask."""
        import torch

        if weight is None:
            return (*self.augmentation(image, mask), None)
        stacked = torch.stack([mask.to(torch.float32), weight])  # (2, H, W)
        image, both = self.augmentation(image, stacked)
        return image, both[0].round().to(torch.uint8), both[1]

    def _weight_map(self, index: int, mask):
        import torch

        changed = self.changed_pixels(index)
        if changed is None:
            return torch.ones(mask.shape, dtype=torch.float32)
        changed = resize_mask(np.asarray(changed, dtype=np.uint8), tuple(mask.shape))
        return torch.where(torch.from_numpy(changed) > 0, self.changed_weight, 1.0).to(torch.float32)

    def _normalise(self, image):
        import torch

        mean = torch.tensor(self.preprocess.mean, dtype=torch.float32).view(-1, 1, 1)
        std = torch.tensor(self.preprocess.std, dtype=torch.float32).view(-1, 1, 1)
        return (image.to(torch.float32) / 255.0 - mean) / std


@contextmanager
def _one_thread():
    """Per-item tensor work is tiny: a thread pool only adds overhead (20x on a busy
    machine). DataLoader workers already run one thread; the main process
    (workers=0) switches to one thread for the item and back."""
    import torch

    threads = torch.get_num_threads()
    if threads == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def seed_worker(worker_id: int) -> None:
    """NumPy and Python RNGs in a worker follow torch's per-worker seed."""
    import random

    import torch

    seed = torch.initial_seed() % 2**32
    np.random.seed(seed)
    random.seed(seed)


@dataclass
class LoaderOptions:
    batch_size: int
    workers: int = 0
    pin_memory: bool = False
    shuffle: bool = False
    drop_last: bool = False


def make_loader(dataset: TorchDataset, options: LoaderOptions, *, sampler=None, generator=None):
    """A DataLoader that spawns (never forks) its workers and keeps them between epochs."""
    from torch.utils.data import DataLoader

    kwargs: dict[str, Any] = {}
    if options.workers > 0:
        kwargs = {"multiprocessing_context": "spawn", "persistent_workers": True,
                  "worker_init_fn": seed_worker, "prefetch_factor": 2}
    return DataLoader(dataset, batch_size=options.batch_size,
                      shuffle=options.shuffle and sampler is None, sampler=sampler,
                      num_workers=options.workers, pin_memory=options.pin_memory,
                      drop_last=options.drop_last, generator=generator, **kwargs)


class ChangedPixels:
    """Picklable ``view index -> changed_pixels(dataset index)`` for spawned workers."""

    def __init__(self, overrides, view: SplitView):
        self.overrides = overrides
        self.indices = view.indices

    def __call__(self, index: int) -> np.ndarray | None:
        return self.overrides.changed_pixels(int(self.indices[index]))


def limit_view(view: SplitView, limit: int | None) -> SplitView:
    """The first ``limit`` items of a split (quick runs and tests)."""
    if limit is None or limit >= len(view):
        return view
    return SplitView(view.dataset, view.indices[:limit], view.split)
