"""Masks -> label format -> masks: exact for every format, class names, ids and splits kept."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from core.annotation.overrides import with_mask_overrides
from core.annotation.storage import MaskStore
from core.data import open_dataset
from core.errors import DataError
from core.labels import export_labels
from core.labels.export import ExportCancelled
from core.labels.geometry import mask_to_polygons, polygons_to_mask

FORMATS = ("coco", "voc", "yolo-seg", "labelme")
CLASSES = ["background", "cat", "dog", "tree"]


def blob_masks(count: int, shape=(40, 56), seed: int = 0) -> list[np.ndarray]:
    """Class-id masks with holes, islands in holes, single pixels, diagonal touches and
    objects on the border: the cases polygon formats get wrong."""
    rng = np.random.default_rng(seed)
    masks = []
    for _ in range(count):
        field = cv2.GaussianBlur(rng.random(shape), (0, 0), 2.0)
        mask = np.zeros(shape, np.uint8)
        mask[field > 0.56] = 1
        mask[field < 0.44] = 2
        mask[10:20, 30:40] = 3
        mask[13:17, 33:37] = 0      # a hole
        mask[14:16, 34:36] = 1      # an island in the hole
        mask[0, 0] = 3              # a corner pixel
        mask[30, 5] = mask[31, 6] = 2  # touching diagonally
        masks.append(mask)
    return masks


def write_folder_dataset(root, masks: list[np.ndarray], class_names=CLASSES):
    """A folder dataset (images/ + masks/ + classes.txt) in its real on-disk form."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    (root / "classes.txt").write_text("\n".join(class_names) + "\n")
    rng = np.random.default_rng(1)
    for index, mask in enumerate(masks):
        image = rng.integers(0, 255, (*mask.shape, 3), dtype=np.uint8)
        cv2.imwrite(str(root / "images" / f"item{index:02d}.png"), image)
        cv2.imwrite(str(root / "masks" / f"item{index:02d}.png"), mask)
    return root


@pytest.fixture
def source(tmp_path):
    masks = blob_masks(8)
    write_folder_dataset(tmp_path / "source", masks)
    return open_dataset(tmp_path / "source"), {f"item{i:02d}": mask for i, mask in enumerate(masks)}


@pytest.mark.parametrize("label_format", FORMATS)
def test_masks_survive_a_round_trip_exactly(tmp_path, source, label_format):
    dataset, masks = source
    summary = export_labels(dataset, label_format, tmp_path / "out")
    assert summary["items"] == 8 and summary["unlabelled_skipped"] == 0
    back = open_dataset(tmp_path / "out")
    assert back.format == label_format
    assert back.class_names == CLASSES
    assert sorted(back.item_id(i) for i in range(len(back))) == sorted(masks)
    for index in range(len(back)):
        sample = back[index]
        np.testing.assert_array_equal(sample.target, masks[sample.item_id])
    if label_format != "labelme":  # labelme has no splits; the others keep them
        ids = {name: sorted(back.item_id(int(i)) for i in indices) for name, indices in back.splits.items()}
        assert ids == {name: sorted(dataset.item_id(int(i)) for i in indices)
                       for name, indices in dataset.splits.items()}


def test_random_shapes_rasterise_back_exactly_with_zero_tolerance():
    """The polygon rule in numbers: 200 random shapes with holes, IoU 1.0 every time."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        shape = tuple(int(v) for v in rng.integers(8, 48, size=2))
        mask = (cv2.GaussianBlur(rng.random(shape), (0, 0), 1.5) > 0.5).astype(np.uint8)
        back = polygons_to_mask(mask_to_polygons(mask), *shape)
        np.testing.assert_array_equal(back, mask)


def test_coco_keeps_image_and_category_ids_and_writes_holes_as_rle(tmp_path, source):
    dataset, _ = source
    export_labels(dataset, "coco", tmp_path / "first")
    first = open_dataset(tmp_path / "first")
    export_labels(first, "coco", tmp_path / "second")
    documents = [json.loads(path.read_text()) for path in sorted((tmp_path / "second" / "annotations").glob("*.json"))]
    images = {image["file_name"]: image["id"] for document in documents for image in document["images"]}
    expected = {f"item{i:02d}.png": first.image_numbers[first.ids.index(f"item{i:02d}")] for i in range(8)}
    assert images == expected
    assert [c["name"] for c in documents[0]["categories"]] == CLASSES[1:]
    segmentations = [a["segmentation"] for d in documents for a in d["annotations"]]
    assert any(isinstance(s, dict) for s in segmentations)   # the "tree" with a hole
    assert any(isinstance(s, list) for s in segmentations)   # everything else


def test_carvana_csv_round_trip_and_refuses_several_classes(tmp_path):
    binary = [(mask > 0).astype(np.uint8) for mask in blob_masks(4)]
    write_folder_dataset(tmp_path / "binary", binary, ["background", "car"])
    export_labels(open_dataset(tmp_path / "binary"), "carvana-csv", tmp_path / "csv")
    back = open_dataset(tmp_path / "csv")
    assert back.format == "carvana"
    for index in range(len(back)):
        np.testing.assert_array_equal(back[index].target, binary[int(back.item_id(index)[-2:])])
    write_folder_dataset(tmp_path / "multi", blob_masks(2))
    with pytest.raises(DataError, match="binary mask"):
        export_labels(open_dataset(tmp_path / "multi"), "carvana-csv", tmp_path / "nope")
    assert not (tmp_path / "nope").exists()


def test_user_masks_win_over_the_dataset(tmp_path, source):
    dataset, masks = source
    corrected = np.zeros_like(masks["item03"])
    corrected[5:15, 5:25] = 2
    MaskStore(tmp_path / "user").save("item03", corrected, binary=False)
    summary = export_labels(with_mask_overrides(dataset, tmp_path / "user"), "voc", tmp_path / "out")
    assert summary["user_masks"] == 1
    back = open_dataset(tmp_path / "out")
    by_id = {back.item_id(i): back[i].target for i in range(len(back))}
    np.testing.assert_array_equal(by_id["item03"], corrected)
    np.testing.assert_array_equal(by_id["item04"], masks["item04"])


def test_export_never_overwrites_and_leaves_nothing_when_cancelled(tmp_path, source):
    dataset, _ = source
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    with pytest.raises(DataError, match="not empty"):
        export_labels(dataset, "coco", tmp_path / "taken")
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["keep.txt"]
    calls = iter(range(100))
    with pytest.raises(ExportCancelled):
        export_labels(dataset, "yolo-seg", tmp_path / "cancelled", should_stop=lambda: next(calls) >= 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source", "taken"]  # no output, no staging


def test_overlapping_objects_later_one_wins(tmp_path):
    """The documented overlap rule, on a COCO file: the second annotation is on top."""
    (tmp_path / "images").mkdir()
    cv2.imwrite(str(tmp_path / "images" / "a.png"), np.zeros((10, 10, 3), np.uint8))
    square = lambda x0, y0, x1, y1: [[x0, y0, x1, y0, x1, y1, x0, y1]]  # noqa: E731
    document = {"images": [{"id": 1, "file_name": "a.png", "width": 10, "height": 10}],
                "categories": [{"id": 1, "name": "big"}, {"id": 2, "name": "small"}],
                "annotations": [
                    {"id": 1, "image_id": 1, "category_id": 2, "segmentation": square(2, 2, 6, 6), "iscrowd": 0},
                    {"id": 2, "image_id": 1, "category_id": 1, "segmentation": square(0, 0, 10, 10), "iscrowd": 0},
                    {"id": 3, "image_id": 1, "category_id": 2, "segmentation": square(4, 4, 8, 8), "iscrowd": 0}]}
    (tmp_path / "annotations.json").write_text(json.dumps(document))
    mask = open_dataset(tmp_path)[0].target
    expected = np.ones((10, 10), np.uint8)  # the big square covers the first small one...
    expected[4:8, 4:8] = 2                  # ...and the last small one covers it
    np.testing.assert_array_equal(mask, expected)


def test_a_label_file_opens_its_dataset(tmp_path, source):
    dataset, _ = source
    export_labels(dataset, "coco", tmp_path / "coco")
    export_labels(dataset, "yolo-seg", tmp_path / "yolo")
    assert open_dataset(tmp_path / "coco" / "annotations" / "instances_train.json").format == "coco"
    assert open_dataset(tmp_path / "yolo" / "data.yaml").format == "yolo-seg"
