"""Every loss and metric against values computed by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core.training.losses import build_loss
from core.training.metrics import (ClassificationMeter, SegmentationMeter, accuracy, confusion_matrix,
                                   dice, iou, per_class_accuracy, pixel_accuracy, small_object_recall)

LN2, LN3 = math.log(2), math.log(3)


def two_pixels():
    """One image of two pixels: logits [0, ln 3] -> probabilities [1/2, 3/4], target [1, 0]."""
    logits = torch.tensor([0.0, LN3]).reshape(1, 1, 1, 2)
    target = torch.tensor([1.0, 0.0]).reshape(1, 1, 2)  # (N, H, W): the loss adds the channel
    return logits, target


def value(loss) -> float:
    return float(loss.detach())


class TestSegmentationLosses:
    def test_bce(self):
        logits, target = two_pixels()
        # pixel 1: -ln(1/2) = ln2; pixel 2: -ln(1 - 3/4) = ln4 = 2 ln2; mean 1.5 ln2
        assert value(build_loss("bce", "segmentation")(logits, target)) == pytest.approx(1.5 * LN2)

    def test_bce_pos_weight_scales_the_object_pixels(self):
        logits, target = two_pixels()
        # (2 * ln2 + 2 ln2) / 2
        loss = build_loss("bce", "segmentation", pos_weight=2.0)(logits, target)
        assert value(loss) == pytest.approx(2 * LN2)

    def test_bce_pixel_weight_is_a_weighted_mean(self):
        logits, target = two_pixels()
        # (3 * ln2 + 1 * 2 ln2) / (3 + 1)
        loss = build_loss("bce", "segmentation")(logits, target, torch.tensor([[[3.0, 1.0]]]))
        assert value(loss) == pytest.approx(1.25 * LN2)

    def test_dice(self):
        logits, target = two_pixels()
        # intersection 1/2, sum p = 5/4, sum y = 1: 1 - (2 * 1/2 + 1) / (5/4 + 1 + 1) = 5/13
        assert value(build_loss("dice", "segmentation")(logits, target)) == pytest.approx(5 / 13)
        # smooth 0: 1 - 1 / (9/4) = 5/9; a (N, 1, H, W) target gives the same
        loss = build_loss("dice", "segmentation", smooth=0.0)(logits, target.unsqueeze(1))
        assert value(loss) == pytest.approx(5 / 9)

    def test_dice_is_averaged_per_image(self):
        logits, target = two_pixels()
        perfect_logits, perfect_target = torch.full((1, 1, 1, 2), 30.0), torch.ones(1, 1, 2)
        loss = build_loss("dice", "segmentation", smooth=0.0)(
            torch.cat([logits, perfect_logits]), torch.cat([target, perfect_target]))
        assert value(loss) == pytest.approx((5 / 9 + 0.0) / 2, abs=1e-6)

    def test_bce_dice_is_the_sum(self):
        logits, target = two_pixels()
        assert value(build_loss("bce_dice", "segmentation")(logits, target)) == pytest.approx(1.5 * LN2 + 5 / 13)
        assert value(build_loss("auto", "segmentation")(logits, target)) == pytest.approx(1.5 * LN2 + 5 / 13)

    def test_focal(self):
        logits, target = two_pixels()
        # pixel 1: p_t = 1/2, alpha_t = 0.25:  0.25 * (1/2)^2 * ln2   = 0.0625 ln2
        # pixel 2: p_t = 1/4, alpha_t = 0.75:  0.75 * (3/4)^2 * 2 ln2 = 0.84375 ln2
        loss = build_loss("focal", "segmentation", alpha=0.25, gamma=2.0)(logits, target)
        assert value(loss) == pytest.approx((0.0625 + 0.84375) / 2 * LN2)
        plain = build_loss("focal", "segmentation", alpha=None, gamma=0.0)(logits, target)
        assert value(plain) == pytest.approx(1.5 * LN2)  # gamma 0, no alpha: plain BCE

    def test_tversky(self):
        logits, target = two_pixels()
        # TP = 1/2, FP = 3/4, FN = 1/2: 1 - 0.5 / (0.5 + 0.3 * 0.75 + 0.7 * 0.5)
        loss = build_loss("tversky", "segmentation", alpha=0.3, beta=0.7, smooth=0.0)(logits, target)
        assert value(loss) == pytest.approx(1 - 0.5 / 1.075)
        as_dice = build_loss("tversky", "segmentation", alpha=0.5, beta=0.5, smooth=0.0)(logits, target)
        assert value(as_dice) == pytest.approx(5 / 9)

    def test_tversky_punishes_missed_pixels_more_than_false_alarms(self):
        target = torch.tensor([1.0, 0.0]).reshape(1, 1, 2)
        missed = torch.tensor([-5.0, -5.0]).reshape(1, 1, 1, 2)
        false_alarm = torch.tensor([5.0, 5.0]).reshape(1, 1, 1, 2)
        tversky = build_loss("tversky", "segmentation")
        assert value(tversky(missed, target)) > value(tversky(false_alarm, target))

    @pytest.mark.parametrize("name", ["bce", "dice", "bce_dice", "focal", "tversky"])
    def test_changed_pixels_weighted_up_get_larger_gradients(self, name):
        logits = torch.zeros(1, 1, 2, 2, requires_grad=True)
        target = torch.tensor([[[1.0, 1.0], [0.0, 0.0]]])
        weight = torch.tensor([[[5.0, 1.0], [1.0, 1.0]]])
        build_loss(name, "segmentation")(logits, target, weight).backward()
        gradient = logits.grad.abs()[0, 0]
        assert gradient[0, 0] > gradient[0, 1] > 0


class TestClassificationLosses:
    def test_cross_entropy_and_label_smoothing(self):
        logits, target = torch.tensor([[LN3, 0.0]]), torch.tensor([0])  # softmax [3/4, 1/4]
        assert value(build_loss("ce", "classification")(logits, target)) == pytest.approx(math.log(4 / 3))
        # smoothing 0.2 over 2 classes: target distribution [0.9, 0.1]
        smoothed = build_loss("auto", "classification", label_smoothing=0.2)(logits, target)
        assert value(smoothed) == pytest.approx(-(0.9 * math.log(0.75) + 0.1 * math.log(0.25)))

    def test_class_weights(self):
        logits, target = torch.tensor([[LN3, 0.0], [LN3, 0.0]]), torch.tensor([0, 1])
        loss = build_loss("ce", "classification", class_weights=[1.0, 3.0])(logits, target)
        assert value(loss) == pytest.approx((math.log(4 / 3) + 3 * math.log(4)) / 4)

    def test_focal_classification(self):
        logits, target = torch.tensor([[LN3, 0.0]]), torch.tensor([0])  # p_t = 3/4
        loss = build_loss("focal", "classification", gamma=2.0)(logits, target)
        assert value(loss) == pytest.approx(0.25 ** 2 * math.log(4 / 3))

    def test_cross_entropy_for_multi_class_masks_with_pixel_weights(self):
        logits = torch.zeros(1, 3, 1, 2)  # uniform over 3 classes: ln3 per pixel
        logits[0, 1, 0, 1] = math.log(4)  # pixel 2: p(class 1) = 4/6
        target = torch.tensor([[[0, 1]]])
        loss = build_loss("ce", "segmentation")(logits, target, torch.tensor([[[1.0, 3.0]]]))
        assert value(loss) == pytest.approx((LN3 + 3 * math.log(1.5)) / 4)


def test_unknown_or_misused_losses_raise():
    with pytest.raises(ValueError, match="unknown loss 'hinge'.*tversky"):
        build_loss("hinge", "segmentation")
    with pytest.raises(ValueError, match="for masks"):
        build_loss("dice", "classification")
    with pytest.raises(ValueError, match="kind"):
        build_loss("ce", "detection")


class TestClassificationMetrics:
    predictions, targets = np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2])

    def test_confusion_accuracy_and_per_class(self):
        confusion = confusion_matrix(self.predictions, self.targets, 3)
        np.testing.assert_array_equal(confusion, [[1, 0, 0], [0, 1, 0], [0, 1, 1]])
        assert accuracy(self.predictions, self.targets) == 0.75
        np.testing.assert_allclose(per_class_accuracy(confusion), [1.0, 1.0, 0.5])
        assert np.isnan(per_class_accuracy(confusion_matrix([0], [0], 2))[1])  # class 1 never seen

    def test_meter_accumulates_logits_over_batches(self):
        logits = torch.nn.functional.one_hot(torch.as_tensor(self.predictions), 3).float() * 4 - 1
        meter = ClassificationMeter(3)
        meter.update(logits[:2], torch.as_tensor(self.targets[:2]))
        meter.update(logits[2:], torch.as_tensor(self.targets[2:]))
        result = meter.compute()
        assert result["accuracy"] == 0.75
        assert result["per_class_accuracy"] == [1.0, 1.0, 0.5]
        assert result["confusion"] == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
        meter.reset()
        assert np.isnan(meter.compute()["accuracy"])


class TestSegmentationMetrics:
    predicted, true = np.array([[1, 1, 0, 0]]), np.array([[1, 0, 1, 0]])

    def test_dice_iou_pixel_accuracy(self):
        assert dice(self.predicted, self.true) == 0.5  # 2 * 1 / (2 + 2)
        assert iou(self.predicted, self.true) == pytest.approx(1 / 3)  # 1 / 3
        assert pixel_accuracy(self.predicted, self.true) == 0.5  # 2 of 4 right
        empty = np.zeros((2, 2))
        assert dice(empty, empty) == iou(empty, empty) == 1.0  # nothing to find, nothing found

    def test_small_object_recall(self):
        true = np.zeros((10, 10), np.uint8)
        true[0:2, 0:2] = 1           # A: 4 px, small (< 5% of 100 px)
        true[5, 5] = true[6, 6] = 1  # B: 2 px touching diagonally: one 8-connected object
        true[7:10, 0:3] = 1          # C: 9 px, large
        predicted = np.zeros_like(true)
        predicted[0, 0:2] = 1        # half of A: recalled (>= 50%)
        predicted[5, 5] = 0          # none of B
        predicted[7:10, 0:3] = 1     # all of C (large, not counted)
        assert small_object_recall(predicted, true, max_area_fraction=0.05) == (1, 2)
        predicted[0, 1] = 0          # a quarter of A: no longer recalled
        assert small_object_recall(predicted, true, max_area_fraction=0.05) == (0, 2)

    def test_meter_averages_per_image_and_pools_small_objects(self):
        true = torch.zeros(2, 1, 10, 10)
        true[0, 0, 2:4, 2:4] = 1                    # image 1: one 4-pixel object (4% of 100)
        true[1, 0, 0:5, :] = 1                      # image 2: half the image
        logits = torch.full((2, 1, 10, 10), -3.0)
        logits[0, 0, 2:4, 2:4] = 3.0                # image 1 perfect
        logits[1, 0, 0:5, 0:5] = 0.0                # image 2: a quarter; logit 0 = p 0.5 counts
        meter = SegmentationMeter(max_area_fraction=0.05)
        meter.update(logits, true[:, 0])            # (N, H, W) targets
        result = meter.compute()
        # image 2: dice 2*25/(25+50) = 2/3, iou 25/50, pixel accuracy 75/100
        assert result["dice"] == pytest.approx((1 + 2 / 3) / 2)
        assert result["iou"] == pytest.approx((1 + 0.5) / 2)
        assert result["pixel_accuracy"] == pytest.approx((1 + 0.75) / 2)
        assert result["small_object_recall"] == 1.0
        assert set(result) == {"dice", "iou", "pixel_accuracy", "small_object_recall"}

    def test_threshold_and_no_small_objects(self):
        logits = torch.full((1, 1, 4, 4), 0.5)  # p = 0.62
        true = torch.ones(1, 4, 4)
        meter = SegmentationMeter(threshold=0.7)
        meter.update(logits, true)
        result = meter.compute()
        assert result["dice"] == 0.0 and result["pixel_accuracy"] == 0.0
        assert math.isnan(result["small_object_recall"])  # the one object covers the whole image

    def test_multi_class_logits_count_every_non_background_class(self):
        logits = torch.zeros(1, 3, 1, 3)
        logits[0, :, 0, 0] = torch.tensor([5.0, 0, 0])   # background
        logits[0, :, 0, 1] = torch.tensor([0, 5.0, 0])   # class 1
        logits[0, :, 0, 2] = torch.tensor([0, 0, 5.0])   # class 2
        meter = SegmentationMeter()
        meter.update(logits, torch.tensor([[[0, 2, 2]]]))
        assert meter.compute()["dice"] == 1.0


@pytest.mark.parametrize("name", ["bce", "dice", "focal", "tversky"])
def test_half_precision_logits_are_summed_in_float32(name):
    """Under autocast the logits come in bf16; whole-image sums must not lose digits."""
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 1, 256, 256, generator=generator).bfloat16()
    target = (torch.rand(2, 256, 256, generator=generator) > 0.7).float()
    loss = build_loss(name, "segmentation")
    half, full = loss(logits, target), loss(logits.float(), target)
    assert half.dtype == torch.float32
    torch.testing.assert_close(half, full, rtol=1e-6, atol=1e-6)
