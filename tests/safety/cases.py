"""The safety corpus: every hostile or odd input of issue #11 (input side), as data.

Each ``Case`` builds its files under a temporary folder and says what must
happen (see harness.py). The test modules parametrise over these lists; the
census (``python -m tests.safety.census``) runs them all and counts outcomes.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from tests.safety import crafted
from tests.safety.harness import Case

DIGITS = ["train", "--task", "mnist", "--demo-size", "40", "--epochs", "1", "--quiet"]
CARS = ["train", "--task", "carvana", "--demo-size", "12", "--epochs", "1", "--quiet", "--batch-size", "4",
        "--model-option", "depth=2", "--model-option", "base_width=4"]

# --- bombs: a reader in a subprocess limited to 1 GiB --------------------------------------


def _file(name, make, *args):
    def build(tmp: Path) -> Path:
        return make(tmp / name, *args)
    return build


def _gz_bomb(tmp: Path) -> Path:
    root = tmp / "mnist"
    root.mkdir()
    crafted.idx_gzip_bomb(root / "train-images-idx3-ubyte.gz", 800_000)
    crafted.idx_file(root / "train-labels-idx1-ubyte.gz", (800_000,))
    return root


def _idx_declares_huge(tmp: Path) -> Path:
    root = tmp / "mnist"
    root.mkdir()
    crafted.idx_file(root / "train-images-idx3-ubyte.gz", (3_000_000, 28, 28), payload=b"")
    crafted.idx_file(root / "train-labels-idx1-ubyte", (2,), b"\0\1")
    return root


def _journal_bomb(tmp: Path) -> Path:
    masks = tmp / "masks"
    (masks / ".journal").mkdir(parents=True)

    def record(meta: dict, labels: bytes) -> bytes:
        header = json.dumps(meta).encode()
        body = zlib.compress(labels)
        crc = zlib.crc32(body, zlib.crc32(header))
        return struct.pack("<4sIII", b"CLJ1", len(header), len(body), crc) + header + body

    base = {"kind": "base", "item_id": "x", "top": 0, "left": 0, "shape": [0, 0],
            "mask_shape": [60000, 60000]}
    patch = {"kind": "patch", "item_id": "x", "top": 0, "left": 0, "shape": [1, 1]}
    from core.annotation.journal import journal_path

    journal_path(masks, "x").write_bytes(record(base, b"") + record(patch, b"\1"))
    return masks


BOMBS = [
    Case("gif_screen_30000x30000_35_bytes", "bomb", _file("bomb.gif", crafted.gif_screen, 30000, 30000),
         ("bomb.gif",), reader="image"),
    Case("png_24000x24000_rgb_header", "bomb", _file("bomb.png", crafted.png_header_only, 24000, 24000),
         ("bomb.png",), reader="image"),
    Case("png_over_2^30_pixels", "bomb", _file("huge.png", crafted.png_header_only, 40000, 30000),
         ("huge.png",), reader="image"),
    Case("png_mask_24000x24000", "bomb", _file("mask.png", crafted.png_header_only, 24000, 24000, 0),
         ("mask.png",), reader="mask"),
    Case("jpeg_sof_30000x30000", "bomb", _file("bomb.jpg", crafted.jpeg_claiming, 30000, 30000),
         ("bomb.jpg",), reader="image"),
    Case("jpeg_sof_30000x30000_reduced_decode", "bomb", _file("bomb.jpg", crafted.jpeg_claiming, 30000, 30000),
         ("bomb.jpg",), reader="decode_image"),
    Case("gif_mask_30000x30000_pillow_decode", "bomb", _file("m.gif", crafted.gif_screen, 30000, 30000),
         ("m.gif",), reader="decode_mask"),
    Case("tiff_30000x30000", "bomb", _file("bomb.tif", crafted.tiff_claiming, 30000, 30000),
         ("bomb.tif",), reader="image"),
    Case("bmp_30000x30000", "bomb", _file("bomb.bmp", crafted.bmp_claiming, 30000, 30000),
         ("bomb.bmp",), reader="image"),
    Case("idx_gz_600MB_of_zeros", "bomb", _gz_bomb, ("train-images-idx3-ubyte.gz",), reader="dataset"),
    Case("idx_gz_header_declares_2.3GB", "bomb", _idx_declares_huge, ("train-images-idx3-ubyte.gz",),
         reader="dataset"),
    Case("cifar_155_byte_reconstruct_3.2GB", "bomb", lambda tmp: crafted.cifar_reconstruct_bomb(tmp / "c"),
         ("data_batch_1",), reader="dataset"),
    Case("journal_declares_60000x60000_mask_is_ignored", "bomb", _journal_bomb, valid=True, reader="journal"),
    Case("unet_base_width_2048_depth_6", "bomb",
         lambda tmp: [*CARS, "--model-option", "base_width=2048", "--model-option", "depth=6",
                      "--out", tmp / "run"], ("parameters",)),
]

# --- malformed files: `info --data X` in-process ---------------------------------------------


def _info(make):
    def build(tmp: Path) -> list:
        return ["info", "--data", make(tmp)]
    return build


def _mnist(images_shape=(2, 28, 28), images_payload=None, labels=b"\0\1", labels_shape=None,
           gz=False, magic=0x08):
    def make(tmp: Path) -> Path:
        root = tmp / "mnist"
        root.mkdir()
        name = "train-images-idx3-ubyte" + (".gz" if gz else "")
        crafted.idx_file(root / name, images_shape, images_payload, magic)
        crafted.idx_file(root / "train-labels-idx1-ubyte", labels_shape or (len(labels),), labels)
        return root
    return make


def _corrupt_gz(tmp: Path) -> Path:
    root = tmp / "mnist"
    root.mkdir()
    (root / "train-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b\x08\x00garbage" * 4)
    crafted.idx_file(root / "train-labels-idx1-ubyte", (2,), b"\0\1")
    return root


def _cifar(labels, **kwargs):
    def make(tmp: Path) -> Path:
        n = kwargs.pop("n", 2)
        return crafted.cifar_folder(tmp / "cifar", labels, n=n, **kwargs)
    return make


def _carvana(rle: str, prefix: bytes = b""):
    return lambda tmp: crafted.carvana_folder(tmp / "cars", rle, prefix)


def _no_marker(marker_name: str):
    def check(tmp: Path, outcome) -> None:
        assert not (tmp / marker_name).exists(), "a pickle ran code"
    return check


def _corrupt_image(tmp: Path) -> Path:
    root = crafted.class_folder(tmp / "classes")
    (root / "cat" / "0.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    return root


def _class_names(names: list[str], mask_value: int = 1):
    return lambda tmp: crafted.segmentation_folder(tmp / "seg", classes=names, mask_value=mask_value)


MALFORMED = [
    Case("idx_bad_magic", "malformed", _info(_mnist(magic=0x0D)), ("train-images",)),
    Case("idx_truncated", "malformed", _info(_mnist(images_payload=b"\0" * 100)), ("train-images",)),
    Case("idx_longer_than_header", "malformed", _info(_mnist(images_payload=b"\0" * 2000)), ("train-images",)),
    Case("idx_dimensions_overflow_int64", "malformed",
         _info(_mnist(images_shape=(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF), images_payload=b"")),
         ("train-images",), extra={"no_negative": True}),
    Case("idx_labels_count_mismatch", "malformed", _info(_mnist(labels=b"\0\1\2")), ("train-labels",)),
    Case("idx_label_over_9", "malformed", _info(_mnist(labels=b"\0\x0c")), ("train-labels",)),
    Case("idx_gz_corrupt", "malformed", _info(_corrupt_gz), ("train-images",)),
    Case("cifar_labels_strings", "malformed", _info(_cifar(["1", "2"])), ("data_batch_1",)),
    Case("cifar_labels_none", "malformed", _info(_cifar([None, 1])), ("data_batch_1",)),
    Case("cifar_labels_dicts", "malformed", _info(_cifar([{}, {1: 2}])), ("data_batch_1",)),
    Case("cifar_labels_2^70", "malformed", _info(_cifar([2 ** 70, 1])), ("data_batch_1",)),
    Case("cifar_labels_floats", "malformed", _info(_cifar([1.7, 2.2])), ("data_batch_1",)),
    Case("cifar_labels_bools", "malformed", _info(_cifar([True, False])), ("data_batch_1",)),
    Case("cifar_labels_nested_lists", "malformed", _info(_cifar([[1], [2]])), ("data_batch_1",)),
    Case("cifar_data_float64", "malformed", _info(_cifar([1, 2], data=np.zeros((2, 3072)))), ("data_batch_1",)),
    Case("cifar_label_names_duplicate", "malformed",
         _info(_cifar([0, 1], meta=[b"cat", b"dog", b"cat"])), ("batches.meta",)),
    Case("cifar_label_names_not_text", "malformed",
         _info(_cifar([0, 1], meta=[b"cat", [b"x"] * 3])), ("batches.meta",)),
    Case("cifar_os_system_payload", "malformed",
         lambda tmp: ["info", "--data", crafted.cifar_code_runner(tmp / "c", tmp / "MARKER")],
         ("data_batch_1",), check=_no_marker("MARKER")),
    Case("cifar_codecs_non_latin1", "malformed", _info(lambda tmp: crafted.cifar_codecs_abuse(tmp / "c")),
         ("data_batch_1",)),
    Case("rle_huge_integer", "malformed", _info(_carvana("1 99999999999999999999999")), ("train_masks.csv",)),
    Case("rle_overlapping_runs", "malformed", _info(_carvana("1 5 3 5")), ("train_masks.csv",)),
    Case("rle_duplicate_runs", "malformed", _info(_carvana("1 2 1 2")), ("train_masks.csv",)),
    Case("rle_zero_length_run", "malformed", _info(_carvana("1 0")), ("train_masks.csv",)),
    Case("classes_txt_duplicate_names", "malformed", _info(_class_names(["background", "car", "car"])),
         ("classes.txt",)),
    Case("mask_value_beyond_class_list", "malformed", _info(_class_names(["background", "car"], 5)),
         ("im0.png",)),
    Case("corrupt_png_in_class_folder", "malformed",
         lambda tmp: ["train", "--task", "folder", "--data", _corrupt_image(tmp), "--epochs", "1",
                      "--quiet", "--out", tmp / "run"], ("0.png",)),
]

# --- valid data that must be accepted ------------------------------------------------------


def _cifar_protocol(protocol: int):
    return lambda tmp: ["info", "--data", crafted.cifar_folder(tmp / "c", [3, 4], protocol=protocol,
                                                                meta=[b"a", b"b", b"c", b"d", b"e"])]


def _macos_junk(tmp: Path) -> list:
    root = crafted.class_folder(tmp / "classes")
    (root / "cat" / "._0.png").write_bytes(b"\0\5\x16\7 AppleDouble junk")
    (root / "dog" / ".DS_Store").write_bytes(b"junk")
    return ["info", "--data", root]


def _carvana_junk(tmp: Path) -> list:
    root = crafted.carvana_folder(tmp / "cars", "1 3")
    (root / "train" / "._car_01.png").write_bytes(b"\0\5\x16\7 AppleDouble junk")
    (root / "train" / ".hidden.png").write_bytes(b"junk")
    return ["info", "--data", root]


def _broken_link(tmp: Path) -> list:
    root = crafted.class_folder(tmp / "classes")
    os.symlink(tmp / "nowhere.png", root / "cat" / "gone.png")
    return ["info", "--data", root]


def _broken_link_carvana(tmp: Path) -> list:
    root = crafted.carvana_folder(tmp / "cars", "1 3")
    os.symlink(tmp / "nowhere.png", root / "train" / "gone.png")
    return ["info", "--data", root]


def _exif_rotated(tmp: Path) -> list:
    """A phone photo stored 12 wide x 8 high, EXIF says rotate 90 (shown 8 wide x 12 high);
    its mask was drawn on the image as shown."""
    root = tmp / "photos"
    (root / "images").mkdir(parents=True)
    crafted.jpeg_with_orientation(root / "images" / "p.jpg", np.full((8, 12, 3), 90, np.uint8), 6)
    crafted.write_png(root / "masks" / "p.png", np.zeros((12, 8), np.uint8))
    return ["info", "--data", root]


def _warned(name: str):
    def check(tmp: Path, outcome) -> None:
        lines = [line for line in outcome.err.splitlines() if name in line]
        assert len(lines) == 1 and lines[0].startswith("warning: "), outcome.err
    return check


VALID = [
    Case("cifar_repickled_protocol_2", "valid", _cifar_protocol(2), valid=True),
    Case("cifar_repickled_protocol_5", "valid", _cifar_protocol(5), valid=True),
    Case("rle_csv_with_utf8_bom", "valid", lambda tmp: ["info", "--data", _carvana("1 3", b"\xef\xbb\xbf")(tmp)],
         valid=True),
    Case("macos_dot_files_in_class_folders", "valid", _macos_junk, valid=True),
    Case("macos_dot_files_in_carvana_train", "valid", _carvana_junk, valid=True),
    Case("broken_symlink_in_class_folder", "valid", _broken_link, valid=True, check=_warned("gone.png")),
    Case("broken_symlink_in_carvana_train", "valid", _broken_link_carvana, valid=True,
         check=_warned("gone.png")),
    Case("jpeg_exif_orientation_with_mask", "valid", _exif_rotated, valid=True),
]

# --- CLI abuse: one line naming the flag -----------------------------------------------------


def _train(*extra, base=DIGITS):
    return lambda tmp: [*base, "--out", tmp / "run", *extra]


def _a_file(tmp: Path) -> Path:
    path = tmp / "taken.txt"
    path.write_text("keep me\n")
    return path


def _kept(name: str, text: str = "keep me\n"):
    def check(tmp: Path, outcome) -> None:
        assert (tmp / name).read_text() == text, f"{name} was changed"
    return check


CLI = [
    Case("train_label_smoothing_2", "cli", _train("--label-smoothing", "2"), ("--label-smoothing",)),
    Case("train_label_smoothing_negative", "cli", _train("--label-smoothing", "-0.1"), ("--label-smoothing",)),
    Case("train_model_option_width_abc", "cli", _train("--model-option", "base_width=abc", base=CARS),
         ("--model-option", "base_width")),
    Case("train_model_option_no_equals", "cli", _train("--model-option", "width"), ("--model-option",)),
    Case("train_out_names_a_file", "cli", lambda tmp: [*DIGITS, "--out", _a_file(tmp)], ("--out", "taken.txt"),
         check=_kept("taken.txt")),
    Case("train_grad_clip_negative", "cli", _train("--grad-clip", "-1"), ("--grad-clip",)),
    Case("train_limit_zero", "cli", _train("--limit", "0"), ("--limit",)),
    Case("train_limit_negative", "cli", _train("--limit", "-5"), ("--limit",)),
    Case("train_demo_size_zero", "cli", lambda tmp: ["train", "--task", "mnist", "--demo-size", "0",
                                                     "--quiet", "--out", tmp / "run"], ("--demo-size",)),
    Case("train_image_size_negative", "cli", _train("--image-size", "-32", base=CARS), ("--image-size",)),
    Case("train_image_size_not_multiple_of_16", "cli", _train("--image-size", "33", base=CARS),
         ("--image-size",)),
    Case("train_image_size_absurd", "cli", _train("--image-size", "1000000", base=CARS), ("--image-size",)),
    Case("train_workers_negative", "cli", _train("--workers", "-1"), ("--workers",)),
    Case("train_batch_size_zero", "cli", _train("--batch-size", "0"), ("--batch-size",)),
    Case("train_epochs_zero", "cli", _train("--epochs", "0"), ("--epochs",)),
    Case("train_lr_nan", "cli", _train("--lr", "nan"), ("--lr",)),
    Case("train_weight_decay_negative", "cli", _train("--weight-decay", "-1"), ("--weight-decay",)),
    Case("train_early_stopping_zero", "cli", _train("--early-stopping", "0"), ("--early-stopping",)),
    Case("train_changed_pixel_weight_negative", "cli", _train("--changed-pixel-weight", "-2"),
         ("--changed-pixel-weight",)),
    Case("train_seed_negative", "cli", _train("--seed", "-1"), ("--seed",)),
    Case("train_epochs_not_a_number", "cli", _train("--epochs", "many"), ("--epochs",)),
    Case("info_seed_negative", "cli", lambda tmp: ["info", "--seed", "-1"], ("--seed",)),
    Case("eval_batch_size_zero", "cli", lambda tmp: ["eval", "--run", tmp / "none", "--batch-size", "0"],
         ("--batch-size",)),
    Case("eval_limit_zero", "cli", lambda tmp: ["eval", "--run", tmp / "none", "--limit", "0"], ("--limit",)),
    Case("export_out_names_a_folder", "cli", lambda tmp: ["export", "--run", tmp / "none", "--out", tmp],
         ("--out",)),
    Case("export_calib_zero", "cli", lambda tmp: ["export", "--run", tmp / "none", "--calib", "0"], ("--calib",)),
    Case("export_threads_zero", "cli", lambda tmp: ["export", "--run", tmp / "none", "--threads", "0"],
         ("--threads",)),
    Case("predict_top_zero", "cli", lambda tmp: ["predict", "--run", tmp / "none", "x.png", "--top", "0"],
         ("--top",)),
    Case("predict_threshold_2", "cli", lambda tmp: ["predict", "--run", tmp / "none", "x.png",
                                                    "--threshold", "2"], ("--threshold",)),
    Case("predict_out_names_a_file", "cli",
         lambda tmp: ["predict", "--run", tmp / "none", "x.png", "--out", _a_file(tmp)],
         ("--out", "taken.txt"), check=_kept("taken.txt")),
]

# --- faults: the output side fails (read-only or full disk); one line, old files intact ------


def _with_full_disk(argv: list):
    """Run ``argv`` with every fsync of an atomic write failing as a full disk does."""
    def run():
        import errno
        from unittest import mock

        from tests.safety.harness import run_main

        def full(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        with mock.patch("core.atomic.os.fsync", full):
            return run_main(argv)
    return run


def _predict_full_disk(tmp: Path):
    run = tiny_segmentation_run(tmp)
    image = crafted.write_png(tmp / "in" / "x.png", np.full((16, 24, 3), 90, np.uint8))
    (tmp / "out").mkdir()
    (tmp / "out" / "x_mask.png").write_text("keep me\n")
    return _with_full_disk(["predict", "--run", run, image, "--out", tmp / "out"])


def _train_full_disk(tmp: Path):
    return _with_full_disk([*DIGITS, "--out", tmp / "run"])


def _under_a_file(tmp: Path) -> list:
    return [*DIGITS, "--out", _a_file(tmp) / "run"]


def _corrupt_with_workers(tmp: Path) -> list:
    root = crafted.class_folder(tmp / "classes", per_class=4)
    for name in ("1.png", "2.png", "3.png"):
        (root / "dog" / name).write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
        (root / "cat" / name).write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    return ["train", "--task", "folder", "--data", root, "--epochs", "1", "--quiet", "--workers", "2",
            "--batch-size", "2", "--image-size", "16", "--out", tmp / "run"]


_RUNS: dict[str, Path] = {}


def tiny_segmentation_run(tmp: Path) -> Path:
    """A 1-epoch U-Net run on 12 demo cars (trained once per process, ~3 s)."""
    import shutil

    from tests.safety.harness import run_main

    if "cars" not in _RUNS or not _RUNS["cars"].is_dir():
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="safety-run-")) / "cars"
        outcome = run_main([*CARS, "--image-size", "32", "--out", folder])
        assert outcome.code == 0, outcome.err
        _RUNS["cars"] = folder
    shutil.copytree(_RUNS["cars"], tmp / "cars-run")
    return tmp / "cars-run"


FAULTS = [
    Case("train_out_under_a_file", "fault", _under_a_file, ("taken.txt",), check=_kept("taken.txt")),
    Case("train_disk_full", "fault", _train_full_disk, ("run",)),
    Case("predict_disk_full_keeps_old_mask", "fault", _predict_full_disk, ("x_mask.png",),
         check=_kept("out/x_mask.png")),
    Case("corrupt_png_with_workers_2", "fault", _corrupt_with_workers, (".png",)),
]

ALL = BOMBS + MALFORMED + VALID + CLI + FAULTS


def _photos(tmp: Path) -> Path:
    """Three 4000x3000 phone-sized photos with masks (zeros encode in milliseconds)."""
    root = tmp / "photos"
    for i in range(3):
        crafted.write_png(root / "images" / f"p{i}.png", np.zeros((3000, 4000, 3), np.uint8))
        crafted.write_png(root / "masks" / f"p{i}.png", np.zeros((3000, 4000), np.uint8))
    return root


CLI.append(Case("train_image_size_0_on_4000x3000_photos", "cli",
                lambda tmp: ["train", "--task", "folder", "--data", _photos(tmp), "--image-size", "0",
                             "--epochs", "1", "--quiet", "--out", tmp / "run"], ("--image-size",)))
ALL = BOMBS + MALFORMED + VALID + CLI + FAULTS
