"""Files shaped like CVAT, labelme, Label Studio, Roboflow/Ultralytics and Pascal VOC write them."""

from __future__ import annotations

import base64
import json

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from core.data import open_dataset
from core.errors import DataError
from core.labels.voc import VOC_CLASSES, voc_colormap


def write_png(path, array) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), array)


def fortran_counts(mask: np.ndarray) -> list[int]:
    """COCO's uncompressed RLE, written out by hand: column-major runs, zeros first."""
    counts, current, run = [], 0, 0
    for value in mask.flatten(order="F"):
        if value != current:
            counts.append(run)
            current, run = value, 0
        run += 1
    counts.append(run)
    return counts


def test_cvat_coco_export_with_crowd_rle_and_polygons(tmp_path):
    height, width = 12, 16
    blob = np.zeros((height, width), np.uint8)
    blob[3:9, 2:7] = 1
    blob[5, 4] = 0  # a hole: why CVAT writes masks as RLE
    write_png(tmp_path / "images" / "frame_000000.png", np.zeros((height, width, 3), np.uint8))
    document = {
        "licenses": [{"name": "", "id": 0, "url": ""}],
        "info": {"contributor": "", "date_created": "", "description": "", "url": "", "version": "", "year": ""},
        "categories": [{"id": 1, "name": "car", "supercategory": ""},
                       {"id": 2, "name": "person", "supercategory": ""}],
        "images": [{"id": 1, "width": width, "height": height, "file_name": "frame_000000.png", "license": 0,
                    "flickr_url": "", "coco_url": "", "date_captured": 0}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 1, "attributes": {"occluded": False},
             "segmentation": {"counts": fortran_counts(blob), "size": [height, width]},
             "area": int(blob.sum()), "bbox": [2.0, 3.0, 5.0, 6.0]},
            {"id": 2, "image_id": 1, "category_id": 2, "iscrowd": 0, "attributes": {"occluded": False},
             "segmentation": [[10.0, 2.0, 14.0, 2.0, 14.0, 6.0, 10.0, 6.0]], "area": 16.0,
             "bbox": [10.0, 2.0, 4.0, 4.0]}]}
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "instances_default.json").write_text(json.dumps(document))
    dataset = open_dataset(tmp_path)
    assert dataset.format == "coco" and dataset.class_names == ["background", "car", "person"]
    assert dataset.item_id(0) == "frame_000000" and dataset.image_numbers == [1]
    expected = blob.copy()
    expected[2:6, 10:14] = 2  # polygon corners on pixel edges: exactly these pixels
    np.testing.assert_array_equal(dataset[0].target, expected)


def test_label_studio_coco_export_with_zero_based_categories(tmp_path):
    write_png(tmp_path / "images" / "8a1f2c3d-street.png", np.zeros((10, 12, 3), np.uint8))
    document = {"images": [{"width": 12, "height": 10, "id": 0, "file_name": "images/8a1f2c3d-street.png"}],
                "categories": [{"id": 0, "name": "Car"}, {"id": 1, "name": "Road"}],
                "annotations": [{"id": 0, "image_id": 0, "category_id": 1, "ignore": 0, "iscrowd": 0,
                                 "segmentation": [[0, 5, 12, 5, 12, 10, 0, 10]], "bbox": [0, 5, 12, 5], "area": 60},
                                {"id": 1, "image_id": 0, "category_id": 0, "ignore": 0, "iscrowd": 0,
                                 "segmentation": [[3, 3, 7, 3, 7, 7, 3, 7]], "bbox": [3, 3, 4, 4], "area": 16}],
                "info": {"year": 2024, "version": "1.0", "contributor": "Label Studio"}}
    (tmp_path / "result.json").write_text(json.dumps(document))
    dataset = open_dataset(tmp_path)
    assert dataset.class_names == ["background", "Car", "Road"]
    expected = np.zeros((10, 12), np.uint8)
    expected[5:, :] = 2
    expected[3:7, 3:7] = 1  # the later car covers the road
    np.testing.assert_array_equal(dataset[0].target, expected)


def test_label_studio_brush_rle_is_refused_with_one_clear_line(tmp_path):
    write_png(tmp_path / "street.png", np.zeros((8, 8, 3), np.uint8))
    export = [{"id": 1, "data": {"image": "/data/upload/1/street.png"},
               "annotations": [{"id": 1, "completed_by": 1, "result": [
                   {"original_width": 8, "original_height": 8, "image_rotation": 0, "type": "brushlabels",
                    "value": {"format": "rle", "rle": [0, 1, 1, 2, 3], "brushlabels": ["Car"]}}]}]}]
    (tmp_path / "project-1-at-2024.json").write_text(json.dumps(export))
    with pytest.raises(DataError, match="Label Studio brush RLE is not COCO RLE") as caught:
        open_dataset(tmp_path)
    assert "project-1-at-2024.json" in str(caught.value) and "\n" not in str(caught.value)


def _labelme_shape(label, shape_type, points, **extra) -> dict:
    return {"label": label, "points": points, "group_id": None, "description": "",
            "shape_type": shape_type, "flags": {}, "mask": None, **extra}


def test_labelme_file_with_every_shape_type_draws_as_labelme_does(tmp_path):
    height, width = 20, 24
    image = np.full((height, width, 3), 90, np.uint8)
    write_png(tmp_path / "photo.png", image)
    write_png(tmp_path / "unlabelled.png", image)
    patch = np.zeros((4, 5), np.uint8)
    patch[1:3, 1:4] = 255
    ok, png = cv2.imencode(".png", patch)
    polygon = [[2.0, 2.0], [9.0, 2.0], [9.0, 8.0], [2.0, 8.0]]
    document = {"version": "5.5.0", "flags": {}, "imagePath": "photo.png",
                "imageData": base64.b64encode(cv2.imencode(".png", image)[1].tobytes()).decode(),
                "imageHeight": height, "imageWidth": width, "shapes": [
                    _labelme_shape("leaf", "polygon", polygon),
                    _labelme_shape("stone", "rectangle", [[12.0, 1.0], [15.0, 4.0]]),
                    _labelme_shape("stone", "circle", [[6.0, 14.0], [9.0, 14.0]]),
                    _labelme_shape("leaf", "line", [[0.0, 19.0], [20.0, 19.0]]),
                    _labelme_shape("bug", "mask", [[17.0, 10.0], [21.0, 13.0]],
                                   mask=base64.b64encode(png.tobytes()).decode()),
                    _labelme_shape("stone", "rectangle", [[8.0, 7.0], [10.0, 9.0]])]}  # overlaps the leaf
    (tmp_path / "photo.json").write_text(json.dumps(document))
    dataset = open_dataset(tmp_path)
    assert dataset.format == "labelme" and dataset.class_names == ["background", "bug", "leaf", "stone"]
    by_id = {dataset.item_id(i): i for i in range(len(dataset))}
    assert not dataset.has_target(by_id["unlabelled"]) and dataset[by_id["unlabelled"]].target is None
    reference = Image.new("L", (width, height))  # labelme's own drawing rules, shape by shape
    draw = ImageDraw.Draw(reference)
    draw.polygon([tuple(p) for p in polygon], fill=2, outline=2)
    draw.rectangle([12, 1, 15, 4], fill=3, outline=3)
    draw.ellipse([3, 11, 9, 17], fill=3, outline=3)
    expected = np.asarray(reference).copy()
    expected[11:13, 18:21] = 1
    expected[7:10, 8:11] = 3
    np.testing.assert_array_equal(dataset[by_id["photo"]].target, expected)


def test_old_labelme_files_without_shape_type_and_with_windows_paths(tmp_path):
    write_png(tmp_path / "a.jpg", np.zeros((6, 6, 3), np.uint8))
    document = {"version": "3.16.2", "flags": {}, "lineColor": [0, 255, 0, 128], "fillColor": [255, 0, 0, 128],
                "imagePath": "..\\photos\\a.jpg", "imageData": None, "imageHeight": 6, "imageWidth": 6,
                "shapes": [{"label": "dot", "points": [[1, 1], [3, 1], [3, 3], [1, 3]], "line_color": None}]}
    (tmp_path / "a.json").write_text(json.dumps(document))
    target = open_dataset(tmp_path)[0].target
    assert target[1:4, 1:4].all() and target.sum() == 9


def test_roboflow_yolo_layout_with_boxes_and_polygons(tmp_path):
    height, width = 10, 20
    for split, stem in (("train", "a"), ("train", "b"), ("valid", "c"), ("test", "d")):
        write_png(tmp_path / split / "images" / f"{stem}.jpg", np.zeros((height, width, 3), np.uint8))
        (tmp_path / split / "labels").mkdir(exist_ok=True)
        (tmp_path / split / "labels" / f"{stem}.txt").write_text(
            f"1 {2 / width} {2 / height} {6 / width} {2 / height} {6 / width} {5 / height} {2 / width} {5 / height}\n"
            f"0 0.75 0.5 0.2 0.4\n")
    (tmp_path / "data.yaml").write_text("train: ../train/images\nval: ../valid/images\ntest: ../test/images\n"
                                        "nc: 2\nnames: ['cat', 'dog']\nroboflow:\n  workspace: w\n  version: 3\n")
    dataset = open_dataset(tmp_path)
    assert dataset.format == "yolo-seg" and dataset.class_names == ["background", "cat", "dog"]
    assert {name: [dataset.item_id(int(i)) for i in indices] for name, indices in dataset.splits.items()} == \
        {"train": ["a", "b"], "val": ["c"], "test": ["d"]}
    expected = np.zeros((height, width), np.uint8)
    expected[2:5, 2:6] = 2    # the polygon: corners on pixel edges
    expected[3:7, 13:17] = 1  # the box: centre (15, 5), 4 x 4 pixels
    np.testing.assert_array_equal(dataset[0].target, expected)


def test_ultralytics_yolo_layout_with_a_names_map(tmp_path):
    for split in ("train", "val"):
        write_png(tmp_path / "images" / split / f"{split}1.png", np.zeros((8, 8, 3), np.uint8))
        (tmp_path / "labels" / split).mkdir(parents=True)
        (tmp_path / "labels" / split / f"{split}1.txt").write_text("2 0 0 0.5 0 0.5 0.5 0 0.5\n")
    (tmp_path / "data.yaml").write_text("path: .\ntrain: images/train\nval: images/val\n"
                                        "names:\n  0: person\n  1: bicycle\n  2: car\n")
    dataset = open_dataset(tmp_path)
    assert dataset.class_names == ["background", "person", "bicycle", "car"]
    assert dataset[0].target[:4, :4].tolist() == [[3] * 4] * 4 and dataset[0].target.sum() == 48


def test_pascal_voc_devkit_with_void_boundaries(tmp_path):
    voc = tmp_path / "VOCdevkit" / "VOC2012"
    labels = np.zeros((10, 12), np.uint8)
    labels[2:8, 3:9] = 255      # the void outline VOC draws around objects
    labels[3:7, 4:8] = 15       # a person
    for item_id in ("2007_000032", "2007_000033"):
        write_png(voc / "JPEGImages" / f"{item_id}.jpg", np.zeros((10, 12, 3), np.uint8))
        palette_png = Image.fromarray(labels)
        palette_png.putpalette(voc_colormap().reshape(-1).tolist())
        (voc / "SegmentationClass").mkdir(parents=True, exist_ok=True)
        palette_png.save(voc / "SegmentationClass" / f"{item_id}.png")
    (voc / "ImageSets" / "Segmentation").mkdir(parents=True)
    (voc / "ImageSets" / "Segmentation" / "train.txt").write_text("2007_000032\n")
    (voc / "ImageSets" / "Segmentation" / "val.txt").write_text("2007_000033\n")
    dataset = open_dataset(tmp_path)
    assert dataset.format == "voc" and dataset.class_names == VOC_CLASSES
    assert [dataset.item_id(int(i)) for i in dataset.splits["val"]] == ["2007_000033"]
    np.testing.assert_array_equal(dataset[0].target, np.where(labels == 255, 0, labels))


def test_cvat_segmentation_mask_export_with_rgb_colours(tmp_path):
    (tmp_path / "labelmap.txt").write_text("# label:color_rgb:parts:actions\nbackground:0,0,0::\n"
                                           "car:250,50,83::\nperson:51,221,255::\n")
    rgb = np.zeros((6, 8, 3), np.uint8)
    rgb[1:3, 1:4] = (250, 50, 83)
    rgb[4:6, 5:8] = (51, 221, 255)
    write_png(tmp_path / "SegmentationClass" / "frame_000000.png", rgb[:, :, ::-1])  # OpenCV writes BGR
    write_png(tmp_path / "JPEGImages" / "frame_000000.jpg", np.zeros((6, 8, 3), np.uint8))
    (tmp_path / "ImageSets" / "Segmentation").mkdir(parents=True)
    (tmp_path / "ImageSets" / "Segmentation" / "default.txt").write_text("frame_000000\n")
    dataset = open_dataset(tmp_path)
    assert dataset.class_names == ["background", "car", "person"]
    expected = np.zeros((6, 8), np.uint8)
    expected[1:3, 1:4] = 1
    expected[4:6, 5:8] = 2
    np.testing.assert_array_equal(dataset[0].target, expected)


def test_official_coco_folder_with_panoptic_pngs_and_caption_files(tmp_path):
    """COCO 2017's layout: val2017/ images, annotations/ holding panoptic, captions and keypoints
    files (only the masks count), and panoptic_val2017/ PNGs of segment ids R + 256 G + 256^2 B."""
    write_png(tmp_path / "val2017" / "000000000139.jpg", np.zeros((6, 8, 3), np.uint8))
    ids = np.zeros((6, 8), np.int64)
    ids[1:3, 1:4] = 3226956            # a person: (76, 61, 49) in R, G, B
    ids[4:6, :] = 1 + 256 * 2          # a floor segment: (1, 2, 0)
    rgb = np.stack([ids % 256, ids // 256 % 256, ids // 65536], axis=2).astype(np.uint8)
    write_png(tmp_path / "annotations" / "panoptic_val2017" / "000000000139.png", rgb[:, :, ::-1])
    document = {"info": {}, "licenses": [],
                "images": [{"id": 139, "file_name": "000000000139.jpg", "width": 8, "height": 6}],
                "categories": [{"id": 1, "name": "person", "isthing": 1, "supercategory": "person"},
                               {"id": 190, "name": "floor-other-merged", "isthing": 0, "supercategory": "floor"}],
                "annotations": [{"image_id": 139, "file_name": "000000000139.png", "segments_info": [
                    {"id": 3226956, "category_id": 1, "iscrowd": 0, "bbox": [1, 1, 3, 2], "area": 6},
                    {"id": 513, "category_id": 190, "iscrowd": 0, "bbox": [0, 4, 8, 2], "area": 16}]}]}
    (tmp_path / "annotations" / "panoptic_val2017.json").write_text(json.dumps(document))
    captions = {"images": document["images"], "annotations": [{"image_id": 139, "id": 1, "caption": "a room"}]}
    (tmp_path / "annotations" / "captions_val2017.json").write_text(json.dumps(captions))
    dataset = open_dataset(tmp_path)
    assert dataset.format == "coco" and dataset.class_names == ["background", "person", "floor-other-merged"]
    expected = np.zeros((6, 8), np.uint8)
    expected[1:3, 1:4] = 1
    expected[4:6, :] = 2
    np.testing.assert_array_equal(dataset[0].target, expected)
