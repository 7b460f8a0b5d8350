"""Task metrics as plain functions plus accumulating meters (torch or NumPy in, floats out).

Classification: accuracy, per-class accuracy, confusion matrix.
Segmentation (binary masks): Dice, IoU, pixel accuracy, small-object recall.
Meters accumulate over batches; ``compute()`` returns plain Python values that
go straight into metrics.jsonl and the GUI.
"""

from __future__ import annotations

import numpy as np

SEGMENTATION_METRICS = ("dice", "iou", "pixel_accuracy", "small_object_recall")


def _numpy(values) -> np.ndarray:
    if hasattr(values, "detach"):  # a torch tensor, on any device
        values = values.detach().float().cpu().numpy() if values.is_floating_point() \
            else values.detach().cpu().numpy()
    return np.asarray(values)


def predicted_classes(logits_or_classes) -> np.ndarray:
    """(N, C) scores -> (N,) argmax; (N,) class indices pass through."""
    values = _numpy(logits_or_classes)
    return values.argmax(axis=1) if values.ndim == 2 else values.astype(np.int64)


def confusion_matrix(predictions, targets, num_classes: int) -> np.ndarray:
    """(num_classes, num_classes) counts; rows are true classes, columns predictions."""
    predicted = predicted_classes(predictions).ravel()
    true = _numpy(targets).astype(np.int64).ravel()
    flat = true * num_classes + predicted
    return np.bincount(flat, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def accuracy(predictions, targets) -> float:
    """Fraction of items whose predicted class equals the target."""
    predicted, true = predicted_classes(predictions).ravel(), _numpy(targets).ravel()
    return float((predicted == true).mean()) if true.size else float("nan")


def per_class_accuracy(confusion: np.ndarray) -> np.ndarray:
    """Recall of each true class; NaN for a class that never occurred."""
    totals = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(confusion) / np.maximum(totals, 1), np.nan)


class ClassificationMeter:
    """Accumulates a confusion matrix over batches."""

    def __init__(self, num_classes: int):
        self.num_classes = num_classes
        self.reset()

    def reset(self) -> None:
        self.confusion = np.zeros((self.num_classes, self.num_classes), dtype=np.int64)

    def update(self, predictions, targets) -> None:
        self.confusion += confusion_matrix(predictions, targets, self.num_classes)

    def compute(self) -> dict:
        """{"accuracy": float, "per_class_accuracy": [float|nan], "confusion": [[int]]}."""
        total = self.confusion.sum()
        return {"accuracy": float(np.trace(self.confusion) / total) if total else float("nan"),
                "per_class_accuracy": [float(v) for v in per_class_accuracy(self.confusion)],
                "confusion": self.confusion.tolist()}


def dice(predicted: np.ndarray, true: np.ndarray) -> float:
    """2|P∩T| / (|P|+|T|) of two boolean masks; 1.0 when both are empty."""
    predicted, true = np.asarray(predicted, bool), np.asarray(true, bool)
    total = predicted.sum() + true.sum()
    return 1.0 if total == 0 else float(2 * np.logical_and(predicted, true).sum() / total)


def iou(predicted: np.ndarray, true: np.ndarray) -> float:
    """|P∩T| / |P∪T| of two boolean masks; 1.0 when both are empty."""
    predicted, true = np.asarray(predicted, bool), np.asarray(true, bool)
    union = np.logical_or(predicted, true).sum()
    return 1.0 if union == 0 else float(np.logical_and(predicted, true).sum() / union)


def pixel_accuracy(predicted: np.ndarray, true: np.ndarray) -> float:
    return float((np.asarray(predicted, bool) == np.asarray(true, bool)).mean())


def small_object_recall(predicted: np.ndarray, true: np.ndarray, max_area_fraction: float = 0.01,
                        min_covered: float = 0.5) -> tuple[int, int]:
    """(recalled, total) small objects of one (H, W) mask.

    An object is an 8-connected component of ``true`` whose area is below
    ``max_area_fraction`` of the image; it is recalled when at least
    ``min_covered`` of its pixels are predicted."""
    import cv2

    count, labels = cv2.connectedComponents(np.asarray(true, np.uint8), connectivity=8)
    if count <= 1:
        return 0, 0
    areas = np.bincount(labels.ravel(), minlength=count)[1:]
    covered = np.bincount(labels.ravel(), weights=np.asarray(predicted, bool).ravel(),
                          minlength=count)[1:]
    small = areas < max_area_fraction * labels.size
    recalled = small & (covered >= min_covered * areas)
    return int(recalled.sum()), int(small.sum())


def binary_masks(logits, threshold: float = 0.5) -> np.ndarray:
    """(N, 1, H, W) logits -> (N, H, W) bool masks where sigmoid(logit) >= threshold;
    (N, C>1, H, W) logits -> foreground = argmax is not class 0."""
    values = _numpy(logits)
    if values.ndim == 4 and values.shape[1] > 1:
        return values.argmax(axis=1) != 0
    values = values.reshape(values.shape[0], *values.shape[-2:]) if values.ndim == 4 else values
    return values >= np.log(threshold / (1 - threshold))  # logit of the threshold


class SegmentationMeter:
    """Per-image Dice/IoU/pixel accuracy averaged over images; small-object
    recall pooled over all small objects seen (NaN if there were none)."""

    def __init__(self, threshold: float = 0.5, max_area_fraction: float = 0.01, min_covered: float = 0.5):
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be between 0 and 1 (exclusive); got {threshold}")
        self.threshold, self.max_area_fraction, self.min_covered = threshold, max_area_fraction, min_covered
        self.reset()

    def reset(self) -> None:
        self.sums = dict.fromkeys(("dice", "iou", "pixel_accuracy"), 0.0)
        self.images = 0
        self.small_objects = 0
        self.small_objects_recalled = 0

    def update(self, logits, targets) -> None:
        """logits (N, 1|C, H, W); targets (N, H, W) or (N, 1, H, W), nonzero = object."""
        predicted = binary_masks(logits, self.threshold)
        true = _numpy(targets).reshape(predicted.shape) != 0
        for predicted_mask, true_mask in zip(predicted, true):
            self.sums["dice"] += dice(predicted_mask, true_mask)
            self.sums["iou"] += iou(predicted_mask, true_mask)
            self.sums["pixel_accuracy"] += pixel_accuracy(predicted_mask, true_mask)
            recalled, total = small_object_recall(predicted_mask, true_mask,
                                                  self.max_area_fraction, self.min_covered)
            self.small_objects_recalled += recalled
            self.small_objects += total
        self.images += len(predicted)

    def compute(self) -> dict[str, float]:
        nan = float("nan")
        result = {name: (total / self.images if self.images else nan) for name, total in self.sums.items()}
        result["small_object_recall"] = (self.small_objects_recalled / self.small_objects
                                         if self.small_objects else nan)
        return result
