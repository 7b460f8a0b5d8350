"""Losses by name: ``build_loss(name, kind, **options)`` -> a module called as
``loss(logits, target, pixel_weight=None)``.

Classification: logits (N, C), integer targets (N,). Segmentation: logits
(N, 1, H, W) and float 0/1 targets (N, 1, H, W) or (N, H, W); "ce" also takes
multi-class logits (N, C, H, W) with integer targets (N, H, W). The optional
``pixel_weight`` (same spatial shape as the target) weights each pixel, e.g.
pixels a user corrected by hand; weighted means divide by the weights' sum.

Which loss when: "bce_dice" (default for masks) for objects of fair size;
"focal" or "tversky" when objects are small and background dominates.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

LOSSES = ("auto", "ce", "bce", "dice", "bce_dice", "focal", "tversky")
KINDS = ("classification", "segmentation")


def _binary_target(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Float target shaped like the (N, 1, H, W) logits (float32: see _float32)."""
    if target.dim() == logits.dim() - 1:
        target = target.unsqueeze(1)  # (N, H, W) -> (N, 1, H, W)
    return target.to(logits.dtype).expand_as(logits)


def _float32(logits: torch.Tensor) -> torch.Tensor:
    # Under bf16/fp16 autocast the logits arrive in half precision; sums over a
    # whole image (Dice, Tversky) would lose digits, so losses compute in float32.
    return logits.float()


def _pixel_weight(logits: torch.Tensor, pixel_weight: torch.Tensor | None) -> torch.Tensor | None:
    if pixel_weight is None:
        return None
    if pixel_weight.dim() == logits.dim() - 1:
        pixel_weight = pixel_weight.unsqueeze(1)
    return pixel_weight.to(logits.dtype).expand_as(logits)


def _weighted_mean(values: torch.Tensor, weight: torch.Tensor | None) -> torch.Tensor:
    if weight is None:
        return values.mean()
    return (values * weight).sum() / weight.sum().clamp_min(1e-12)


class CrossEntropyLoss(nn.Module):
    """Softmax cross-entropy with optional label smoothing and class weights."""

    def __init__(self, label_smoothing: float = 0.0, class_weights: list[float] | None = None):
        super().__init__()
        self.label_smoothing = label_smoothing
        self.register_buffer("class_weights", None if class_weights is None
                             else torch.as_tensor(class_weights, dtype=torch.float32))

    def forward(self, logits, target, pixel_weight=None):
        target = target.long()
        if target.dim() == logits.dim():  # (N, 1, H, W) -> (N, H, W)
            target = target.squeeze(1)
        if pixel_weight is None:
            return F.cross_entropy(logits, target, weight=self.class_weights,
                                   label_smoothing=self.label_smoothing)
        per_item = F.cross_entropy(logits, target, weight=self.class_weights,
                                   label_smoothing=self.label_smoothing, reduction="none")
        weight = pixel_weight.squeeze(1) if pixel_weight.dim() == logits.dim() else pixel_weight
        return _weighted_mean(per_item, weight.to(per_item.dtype))


class BCELoss(nn.Module):
    """Binary cross-entropy on logits; ``pos_weight`` > 1 favours recall of the object."""

    def __init__(self, pos_weight: float | None = None):
        super().__init__()
        self.register_buffer("pos_weight", None if pos_weight is None
                             else torch.tensor(float(pos_weight)))

    def forward(self, logits, target, pixel_weight=None):
        logits = _float32(logits)
        target = _binary_target(logits, target)
        per_pixel = F.binary_cross_entropy_with_logits(logits, target, pos_weight=self.pos_weight,
                                                       reduction="none")
        return _weighted_mean(per_pixel, _pixel_weight(logits, pixel_weight))


class DiceLoss(nn.Module):
    """Soft Dice on sigmoid probabilities, per image, averaged over the batch:
    1 - (2 sum(p y) + smooth) / (sum(p) + sum(y) + smooth)."""

    def __init__(self, smooth: float = 1.0):
        super().__init__()
        self.smooth = smooth

    def forward(self, logits, target, pixel_weight=None):
        logits = _float32(logits)
        target = _binary_target(logits, target)
        weight = _pixel_weight(logits, pixel_weight)
        probs = torch.sigmoid(logits)
        if weight is not None:
            probs, target = probs * weight, target * weight
        dims = tuple(range(1, logits.dim()))
        intersection = (probs * target).sum(dims)
        dice = (2 * intersection + self.smooth) / (probs.sum(dims) + target.sum(dims) + self.smooth)
        return (1 - dice).mean()


class BCEDiceLoss(nn.Module):
    """bce_weight * BCE + dice_weight * Dice: BCE gives per-pixel gradients, Dice fights imbalance."""

    def __init__(self, pos_weight: float | None = None, smooth: float = 1.0,
                 bce_weight: float = 1.0, dice_weight: float = 1.0):
        super().__init__()
        self.bce, self.dice = BCELoss(pos_weight), DiceLoss(smooth)
        self.bce_weight, self.dice_weight = bce_weight, dice_weight

    def forward(self, logits, target, pixel_weight=None):
        return (self.bce_weight * self.bce(logits, target, pixel_weight)
                + self.dice_weight * self.dice(logits, target, pixel_weight))


class FocalLoss(nn.Module):
    """Focal loss (Lin et al. 2017): -alpha_t (1 - p_t)^gamma log(p_t).

    Binary (segmentation): alpha weights positives, 1 - alpha negatives
    (alpha=None: no weighting). Classification: softmax p_t, alpha unused."""

    def __init__(self, kind: str = "segmentation", alpha: float | None = 0.25, gamma: float = 2.0):
        super().__init__()
        self.kind, self.alpha, self.gamma = kind, alpha, gamma

    def forward(self, logits, target, pixel_weight=None):
        logits = _float32(logits)
        if self.kind == "classification":
            log_p_t = -F.cross_entropy(logits, target.long(), reduction="none")  # (N,)
            return _weighted_mean(-(1 - log_p_t.exp()) ** self.gamma * log_p_t, pixel_weight)
        target = _binary_target(logits, target)
        bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")  # -log(p_t)
        p_t = torch.exp(-bce)
        loss = (1 - p_t) ** self.gamma * bce
        if self.alpha is not None:
            loss = (self.alpha * target + (1 - self.alpha) * (1 - target)) * loss
        return _weighted_mean(loss, _pixel_weight(logits, pixel_weight))


class TverskyLoss(nn.Module):
    """Tversky loss per image, batch mean: 1 - (TP + s) / (TP + alpha FP + beta FN + s).

    beta > alpha punishes missed object pixels more than false alarms, which
    helps recall of small objects; alpha = beta = 0.5 is the Dice loss."""

    def __init__(self, alpha: float = 0.3, beta: float = 0.7, smooth: float = 1.0):
        super().__init__()
        self.alpha, self.beta, self.smooth = alpha, beta, smooth

    def forward(self, logits, target, pixel_weight=None):
        logits = _float32(logits)
        target = _binary_target(logits, target)
        weight = _pixel_weight(logits, pixel_weight)
        weight = torch.ones_like(target) if weight is None else weight
        probs = torch.sigmoid(logits)
        dims = tuple(range(1, logits.dim()))
        true_positive = (weight * probs * target).sum(dims)
        false_positive = (weight * probs * (1 - target)).sum(dims)
        false_negative = (weight * (1 - probs) * target).sum(dims)
        tversky = (true_positive + self.smooth) / (
            true_positive + self.alpha * false_positive + self.beta * false_negative + self.smooth)
        return (1 - tversky).mean()


def build_loss(name: str, kind: str, **options) -> nn.Module:
    """The loss ``name`` for ``kind`` ("classification" | "segmentation"); "auto" =
    "ce" for classification, "bce_dice" for segmentation. Options go to the loss."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    if name == "auto":
        name = "ce" if kind == "classification" else "bce_dice"
    if name == "focal":
        return FocalLoss(kind=kind, **options)
    constructors = {"ce": CrossEntropyLoss, "bce": BCELoss, "dice": DiceLoss,
                    "bce_dice": BCEDiceLoss, "tversky": TverskyLoss}
    if name not in constructors:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    if kind == "classification" and name != "ce":
        raise ValueError(f"loss {name!r} is for masks; for classification use ce or focal")
    return constructors[name](**options)
