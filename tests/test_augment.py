"""Augmentation keeps image and mask aligned, respects the per-kind defaults,
and the validation path has no randomness."""

from __future__ import annotations

import pytest
import torch

from core.training.augment import augmentation_options, build_augmentation

ALL_OFF = {"hflip": False, "vflip": False, "crop": False, "rotation": False, "color_jitter": False}


def pattern_mask(height: int = 48, width: int = 64) -> torch.Tensor:
    """An asymmetric 0/1 mask: an L-shaped block and a small square."""
    mask = torch.zeros(height, width, dtype=torch.uint8)
    mask[6:30, 8:16] = 1
    mask[22:30, 8:40] = 1
    mask[36:44, 48:58] = 1
    return mask


def image_of(mask: torch.Tensor) -> torch.Tensor:
    """An RGB uint8 image that is the mask: 255 on the object, 0 elsewhere."""
    return (mask * 255).expand(3, *mask.shape).contiguous()


@pytest.mark.parametrize("switch", ["hflip", "vflip", "crop", "rotation", "color_jitter", "all"])
def test_image_and_mask_stay_aligned(switch):
    options = {key: True for key in ALL_OFF} if switch == "all" else {**ALL_OFF, switch: True}
    augment = build_augmentation("segmentation", None, options)
    mask = pattern_mask()
    changed = 0
    for seed in range(8):
        torch.manual_seed(seed)
        image_out, mask_out = augment(image_of(mask), mask)
        assert image_out.shape == (3, 48, 64) and mask_out.shape == (48, 64)
        assert set(mask_out.unique().tolist()) <= {0, 1}  # nearest-neighbour: never blurred
        agreement = ((image_out[0] > 127) == mask_out.bool()).float().mean()
        # interpolation may blur the image's edges only: at most a thin border disagrees
        assert agreement > 0.97, f"seed {seed}: image and mask agree on {agreement:.3f} only"
        changed += not torch.equal(mask_out, mask)
    if switch != "color_jitter":
        assert changed >= 2, "the transform never moved the mask: the test would prove nothing"


def test_flips_are_exact():
    mask = pattern_mask()
    augment = build_augmentation("segmentation", None, {**ALL_OFF, "hflip": True})
    flipped = 0
    for seed in range(10):
        torch.manual_seed(seed)
        image_out, mask_out = augment(image_of(mask), mask)
        assert torch.equal(image_out, image_of(mask_out))
        assert torch.equal(mask_out, mask) or torch.equal(mask_out, mask.flip(-1))
        flipped += torch.equal(mask_out, mask.flip(-1))
    assert 0 < flipped < 10


def test_mask_with_channel_dimension_keeps_its_shape():
    mask = pattern_mask()[None]  # (1, H, W)
    torch.manual_seed(0)
    image_out, mask_out = build_augmentation("segmentation", (32, 40), {})(image_of(mask[0]), mask)
    assert image_out.shape == (3, 32, 40) and mask_out.shape == (1, 32, 40)


def test_digits_are_never_flipped_by_default():
    digit = torch.zeros(1, 28, 28, dtype=torch.uint8)
    digit[:, 4:24, 4:10] = 255  # a bar on the left: a flip would move it right
    augment = build_augmentation("digits", 28, {})
    for seed in range(30):
        torch.manual_seed(seed)
        out, label = augment(digit, 7)
        assert label == 7 and out.shape == (1, 28, 28)
        assert out[..., :14].float().mean() > 4 * out[..., 14:].float().mean()
    assert augmentation_options("digits")["hflip"] is False


def test_cifar_default_flips_sometimes_and_outputs_the_size():
    image = torch.zeros(3, 32, 32, dtype=torch.uint8)
    image[:, :, :8] = 255
    augment = build_augmentation("classification", 32, {"crop": False, "color_jitter": False})
    left_bright = []
    for seed in range(10):
        torch.manual_seed(seed)
        out, _ = augment(image, 3)
        assert out.shape == (3, 32, 32) and out.dtype == torch.uint8
        left_bright.append(bool(out[..., :16].float().mean() > out[..., 16:].float().mean()))
    assert set(left_bright) == {True, False}


def test_validation_path_has_no_randomness():
    mask = pattern_mask()
    same_size = build_augmentation("segmentation", (48, 64), {key: True for key in ALL_OFF}, train=False)
    for seed in range(3):
        torch.manual_seed(seed)
        image_out, mask_out = same_size(image_of(mask), mask)
        assert torch.equal(image_out, image_of(mask)) and torch.equal(mask_out, mask)
    smaller = build_augmentation("segmentation", 24, {}, train=False)
    first, second = smaller(image_of(mask), mask), smaller(image_of(mask), mask)
    assert first[1].shape == (24, 24) and set(first[1].unique().tolist()) == {0, 1}
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])


def test_float_images_in_unit_range_work():
    torch.manual_seed(0)
    image = torch.rand(3, 32, 32)
    out, _ = build_augmentation("classification", 32, {})(image, 1)
    assert out.dtype == torch.float32 and 0.0 <= out.min() and out.max() <= 1.0


def test_unknown_kind_or_option_raises():
    with pytest.raises(ValueError, match="unknown augmentation option mixup"):
        build_augmentation("segmentation", None, {"mixup": True})
    with pytest.raises(ValueError, match="unknown augmentation kind"):
        build_augmentation("audio", None, {})


def test_upscaled_mask_stays_centred_on_the_image():
    """Upscaling 9 -> 14 pixels: the mask covers exactly the rows where the bilinear
    image is bright (torchvision's legacy nearest would add row 9: a shifted mask)."""
    mask = torch.zeros(9, 9, dtype=torch.uint8)
    mask[3:6, 3:6] = 1
    image_out, mask_out = build_augmentation("segmentation", 14, {}, train=False)(image_of(mask), mask)
    rows = mask_out.any(dim=1).nonzero().ravel()
    assert rows.tolist() == [5, 6, 7, 8]
    bright_rows = (image_out[0, :, 7] > 127).nonzero().ravel()
    assert bright_rows.tolist() == rows.tolist()


def test_augmentation_pickles_for_spawned_dataloader_workers():
    import pickle

    augment = build_augmentation("segmentation", 32, {})
    mask = pattern_mask()
    augment(image_of(mask), mask)  # fill the pipeline cache first
    clone = pickle.loads(pickle.dumps(augment))
    torch.manual_seed(3)
    expected = augment(image_of(mask), mask)
    torch.manual_seed(3)
    actual = clone(image_of(mask), mask)
    assert torch.equal(expected[0], actual[0]) and torch.equal(expected[1], actual[1])
