"""Every editing tool on small arrays, with the exact pixels it must produce."""

from __future__ import annotations

import numpy as np

from core.annotation import (brush_segment, fill_holes, flood_fill, grabcut, keep_largest_component, magic_wand,
                             mask_from_prediction, polygon, rectangle)


def as_mask(selection, shape):
    return selection.full(shape).astype(np.uint8)


def test_round_dab_radius_1_5_is_a_3x3_square():
    got = as_mask(brush_segment((11, 11), (5, 5), (5, 5), 1.5), (11, 11))
    expected = np.zeros((11, 11), np.uint8)
    expected[4:7, 4:7] = 1
    np.testing.assert_array_equal(got, expected)


def test_round_dab_radius_2_is_a_disc_of_13_pixels():
    got = as_mask(brush_segment((9, 9), (4, 4), (4, 4), 2), (9, 9))
    expected = np.zeros((9, 9), np.uint8)
    expected[3:6, 3:6] = 1
    expected[4, 2] = expected[4, 6] = expected[2, 4] = expected[6, 4] = 1
    np.testing.assert_array_equal(got, expected)
    assert got.sum() == 13


def test_brush_segment_is_a_capsule_without_gaps():
    got = as_mask(brush_segment((11, 11), (2, 5), (8, 5), 1), (11, 11))
    expected = np.zeros((11, 11), np.uint8)
    expected[4:7, 2:9] = 1
    expected[5, 1] = expected[5, 9] = 1
    np.testing.assert_array_equal(got, expected)


def test_brush_is_clipped_at_the_image_border():
    selection = brush_segment((5, 5), (0, 0), (0, 0), 1)
    assert (selection.top, selection.left) == (0, 0)
    np.testing.assert_array_equal(selection.pixels, [[1, 1], [1, 0]])
    assert brush_segment((5, 5), (50, 50), (60, 60), 2) is None


def test_polygon_fills_its_inside_and_edges():
    got = as_mask(polygon((6, 6), [(1, 1), (4, 1), (4, 3), (1, 3)]), (6, 6))
    expected = np.zeros((6, 6), np.uint8)
    expected[1:4, 1:5] = 1
    np.testing.assert_array_equal(got, expected)
    assert polygon((6, 6), [(1, 1), (4, 1)]) is None


def test_triangle_polygon_exact_pixels():
    got = as_mask(polygon((5, 5), [(0, 0), (4, 0), (0, 4)]), (5, 5))
    expected = np.array([[1, 1, 1, 1, 1],
                         [1, 1, 1, 1, 0],
                         [1, 1, 1, 0, 0],
                         [1, 1, 0, 0, 0],
                         [1, 0, 0, 0, 0]], np.uint8)
    np.testing.assert_array_equal(got, expected)


def test_rectangle_includes_both_corners_in_any_order():
    expected = np.zeros((6, 7), np.uint8)
    expected[1:4, 2:5] = 1
    np.testing.assert_array_equal(as_mask(rectangle((6, 7), (2, 1), (4, 3)), (6, 7)), expected)
    np.testing.assert_array_equal(as_mask(rectangle((6, 7), (4, 3), (2, 1)), (6, 7)), expected)


def test_flood_fill_stops_at_other_labels_and_is_4_connected():
    mask = np.array([[0, 0, 1, 0],
                     [0, 0, 1, 0],
                     [1, 1, 0, 0],
                     [0, 0, 0, 0]], np.uint8)
    got = as_mask(flood_fill(mask, 0, 0), mask.shape)
    expected = np.array([[1, 1, 0, 0],
                         [1, 1, 0, 0],
                         [0, 0, 0, 0],
                         [0, 0, 0, 0]], np.uint8)
    np.testing.assert_array_equal(got, expected)
    assert flood_fill(mask, 9, 9) is None


def test_magic_wand_grows_within_colour_tolerance_of_the_seed():
    image = np.zeros((4, 6, 3), np.uint8)
    image[:, :3] = (100, 50, 50)
    image[:, 3] = (115, 60, 40)   # within 20 of the seed on every channel
    image[:, 4:] = (200, 50, 50)  # too far
    got = as_mask(magic_wand(image, 0, 0, tolerance=20), (4, 6))
    expected = np.zeros((4, 6), np.uint8)
    expected[:, :4] = 1
    np.testing.assert_array_equal(got, expected)
    tight = as_mask(magic_wand(image, 0, 0, tolerance=5), (4, 6))
    np.testing.assert_array_equal(tight[:, :3], 1)
    assert tight[:, 3:].sum() == 0


def test_magic_wand_on_grey_images():
    image = np.array([[10, 12, 90], [11, 13, 95]], np.uint8)
    got = as_mask(magic_wand(image, 0, 0, tolerance=5), image.shape)
    np.testing.assert_array_equal(got, [[1, 1, 0], [1, 1, 0]])


def test_keep_largest_component_removes_smaller_blobs():
    mask = np.zeros((8, 8), np.uint8)
    mask[0:2, 0:2] = 1      # 4 pixels
    mask[4:7, 4:7] = 1      # 9 pixels
    mask[0, 7] = 1          # 1 pixel
    expected = np.zeros((8, 8), np.uint8)
    expected[4:7, 4:7] = 1
    np.testing.assert_array_equal(keep_largest_component(mask), expected)


def test_keep_largest_component_leaves_other_classes_alone():
    mask = np.zeros((6, 6), np.uint8)
    mask[0, 0] = 1
    mask[3:6, 3:6] = 1
    mask[0, 5] = 2
    out = keep_largest_component(mask, value=1)
    assert out[0, 0] == 0 and out[0, 5] == 2 and out[3:6, 3:6].all()


def test_fill_holes_fills_enclosed_background_only():
    mask = np.zeros((7, 7), np.uint8)
    mask[1:6, 1:6] = 1
    mask[3, 3] = 0          # enclosed hole
    mask[0:2, 0] = 0
    mask[1, 1:3] = 0        # a notch open to the border stays background
    out = fill_holes(mask)
    assert out[3, 3] == 1
    np.testing.assert_array_equal(out[1, 1:3], [0, 0])
    expected = mask.copy()
    expected[3, 3] = 1
    np.testing.assert_array_equal(out, expected)


def test_mask_from_prediction_thresholds_or_argmaxes():
    probabilities = np.array([[0.1, 0.5], [0.7, 0.49]], np.float32)
    np.testing.assert_array_equal(mask_from_prediction(probabilities, 0.5), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(mask_from_prediction(probabilities, 0.2), [[0, 1], [1, 1]])
    scores = np.stack([np.full((2, 2), 0.2), [[0.5, 0.1], [0.1, 0.1]], [[0.3, 0.1], [0.9, 0.0]]])
    np.testing.assert_array_equal(mask_from_prediction(scores), [[1, 0], [2, 0]])


def _object_scene(rng):
    image = rng.normal(60, 12, (120, 160, 3)).clip(0, 255).astype(np.uint8)
    truth = np.zeros((120, 160), bool)
    truth[40:90, 50:120] = True
    image[truth] = rng.normal((200, 40, 40), 12, (int(truth.sum()), 3)).clip(0, 255).astype(np.uint8)
    return image, truth


def iou(a, b):
    return (a & b).sum() / (a | b).sum()


def test_grabcut_box_selects_the_object_inside_it(rng):
    image, truth = _object_scene(rng)
    selection = grabcut(image, box=((40, 30), (130, 100)))
    assert iou(selection.full(truth.shape), truth) > 0.95


def test_grabcut_on_a_large_image_works_on_a_downscaled_crop(rng):
    image, truth = _object_scene(rng)
    big_image = np.repeat(np.repeat(image, 8, axis=0), 8, axis=1)       # 960x1280
    big_truth = np.repeat(np.repeat(truth, 8, axis=0), 8, axis=1)
    selection = grabcut(big_image, box=((320, 240), (1040, 800)), max_pixels=40_000)
    assert iou(selection.full(big_truth.shape), big_truth) > 0.95


def test_grabcut_seeded_by_strokes_only(rng):
    image, truth = _object_scene(rng)
    foreground = np.zeros(truth.shape, bool)
    foreground[60:70, 60:110] = True
    background = np.zeros(truth.shape, bool)
    background[5:15, :] = True
    background[100:110, :] = True
    selection = grabcut(image, foreground=foreground, background=background)
    assert iou(selection.full(truth.shape), truth) > 0.9
    assert grabcut(image) is None
