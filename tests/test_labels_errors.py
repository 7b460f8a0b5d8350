"""Bad label files: one line naming the file and what is wrong, exit 2, nothing written."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from core.cli import run_cli


def _cli(capsys, *argv) -> tuple[int, str]:
    code = run_cli([str(a) for a in argv])
    return code, capsys.readouterr().err


def _image(path, height=8, width=8) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.zeros((height, width, 3), np.uint8))


def _coco(root, images, annotations=(), categories=({"id": 1, "name": "thing"},)) -> None:
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    document = {"images": list(images), "annotations": list(annotations), "categories": list(categories)}
    (root / "annotations" / "instances.json").write_text(json.dumps(document))


def _entry(number, name, width=8, height=8) -> dict:
    return {"id": number, "file_name": name, "width": width, "height": height}


def _assert_one_line(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err, err


def test_coco_naming_missing_images_says_how_many_and_the_first(tmp_path, capsys):
    _image(tmp_path / "images" / "a.png")
    _coco(tmp_path, [_entry(1, "a.png"), _entry(2, "b.png"), _entry(3, "c.png")])
    _assert_one_line(*_cli(capsys, "info", "--data", tmp_path),
                     "instances.json", "2 of 3 image(s) it lists are missing, first: b.png")


@pytest.mark.parametrize("case, fragment", [
    ("truncated", "is not valid JSON"),
    ("huge", "exceeds the 268,435,456-pixel limit"),
    ("unknown category", "category_id 7, which is not listed"),
    ("rle counts", "uncompressed RLE counts add up to 5"),
    ("rle size", "RLE size [4, 4] but the image is 8x8"),
    ("brush rle", "Label Studio brush RLE is not COCO RLE"),
    ("nan polygon", "polygons must be flat lists of finite x, y numbers"),
])
def test_bad_coco_files(tmp_path, capsys, case, fragment):
    _image(tmp_path / "images" / "a.png")
    rle = {"rle counts": {"counts": [2, 3], "size": [8, 8]}, "rle size": {"counts": [16], "size": [4, 4]},
           "brush rle": {"format": "rle", "rle": [0, 1, 1]}}.get(case)
    annotation = {"id": 1, "image_id": 1, "category_id": 7 if case == "unknown category" else 1,
                  "segmentation": rle or [[0, 0, 4, 0, 4, float("nan") if case == "nan polygon" else 4]],
                  "iscrowd": 1 if rle else 0}
    size = (100_000, 100_000) if case == "huge" else (8, 8)
    _coco(tmp_path, [_entry(1, "a.png", *size)], [annotation])
    if case == "truncated":
        path = tmp_path / "annotations" / "instances.json"
        path.write_text(path.read_text()[:-20])
    _assert_one_line(*_cli(capsys, "info", "--data", tmp_path), "instances.json", fragment)


def test_yolo_bad_line_and_unsafe_yaml(tmp_path, capsys):
    _image(tmp_path / "images" / "a.png")
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "a.txt").write_text("0 0.1 0.1 0.5 0.1 0.5 oops\n")
    (tmp_path / "data.yaml").write_text("names: [thing]\n")
    _assert_one_line(*_cli(capsys, "info", "--data", tmp_path), "a.txt", "line 1")
    marker = tmp_path / "ran"
    (tmp_path / "data.yaml").write_text(f"names: !!python/object/apply:os.system ['touch {marker}']\n")
    _assert_one_line(*_cli(capsys, "info", "--data", tmp_path), "data.yaml", "cannot read YAML")
    assert not marker.exists()


def test_labelme_mask_that_is_not_base64(tmp_path, capsys):
    _image(tmp_path / "a.png")
    shape = {"label": "x", "shape_type": "mask", "points": [[0, 0], [3, 3]], "mask": "not base64!"}
    (tmp_path / "a.json").write_text(json.dumps({"version": "5.5.0", "shapes": [shape], "imagePath": "a.png",
                                                 "imageHeight": 8, "imageWidth": 8}))
    _assert_one_line(*_cli(capsys, "info", "--data", tmp_path), "a.json", "'mask' is not base64")


def test_voc_mask_value_without_a_class(tmp_path, capsys):
    _image(tmp_path / "JPEGImages" / "a.jpg")
    (tmp_path / "SegmentationClass").mkdir()
    cv2.imwrite(str(tmp_path / "SegmentationClass" / "a.png"), np.full((8, 8), 3, np.uint8))
    (tmp_path / "classes.txt").write_text("background\nthing\n")
    _assert_one_line(*_cli(capsys, "info", "--data", tmp_path), "a.png", "mask value 3 but only 2 classes")


def test_export_refuses_a_non_empty_folder_and_a_classification_dataset(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    _assert_one_line(*_cli(capsys, "labels", "export", "--format", "coco", "--out", out), "not empty")
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    for name in ("cats", "dogs"):
        _image(tmp_path / "classes" / name / f"{name}.png")
    _assert_one_line(*_cli(capsys, "labels", "export", "--data", tmp_path / "classes", "--format", "voc",
                           "--out", tmp_path / "voc"), "classification")
    assert not (tmp_path / "voc").exists()


def test_coco_panoptic_without_its_png_folder(tmp_path, capsys):
    _image(tmp_path / "images" / "a.png")
    _coco(tmp_path, [_entry(1, "a.png")], [{"image_id": 1, "file_name": "a.png", "segments_info": []}])
    _assert_one_line(*_cli(capsys, "info", "--data", tmp_path), "instances.json", "panoptic PNG folder instances/")
