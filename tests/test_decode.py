"""Reduced JPEG decoding, Pillow GIF masks and the decoded-item cache (synthetic files only)."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

from core.data import decode
from core.data.base import ArrayDataset
from core.data.decode import (decode_image, decode_mask, decode_thumbnail, default_working_height,
                              reduction_factor)
from core.data.decode_cache import DecodeCache, file_source
from core.data.images import read_image
from core.data.masks import read_mask
from core.data.writers import write_gif_mask
from core.errors import DataError


def _colourful(height: int, width: int) -> np.ndarray:
    """Smooth RGB image with different content per channel (so a BGR/RGB swap shows)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.stack([255 * x / width, 255 * y / height, 128 + 100 * np.sin(x / 40 + y / 60)], axis=2)
    cv2.circle(image, (width // 3, height // 2), height // 5, (250, 20, 200), -1)
    return np.clip(image, 0, 255).astype(np.uint8)


def _write_jpeg(path, rgb: np.ndarray) -> None:
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])


@pytest.mark.parametrize("size,factor", [((50, 75), 8), ((100, 150), 4), ((200, 300), 2), ((300, 450), 1)])
def test_reduced_decode_matches_full_decode_then_resize(tmp_path, monkeypatch, size, factor):
    path = tmp_path / "car.jpg"
    _write_jpeg(path, _colourful(400, 600))
    flags = []
    real_imdecode = cv2.imdecode
    monkeypatch.setattr(decode.cv2, "imdecode", lambda data, flag: flags.append(flag) or real_imdecode(data, flag))
    reduced = decode_image(path, size)
    used_flag = flags[-1]
    reference = cv2.resize(read_image(path), size[::-1], interpolation=cv2.INTER_AREA)
    assert reduced.shape == (*size, 3) and reduced.dtype == np.uint8
    assert np.abs(reduced.astype(int) - reference.astype(int)).mean() < 3.0
    expected_flag = {8: cv2.IMREAD_REDUCED_COLOR_8, 4: cv2.IMREAD_REDUCED_COLOR_4,
                     2: cv2.IMREAD_REDUCED_COLOR_2, 1: cv2.IMREAD_UNCHANGED}[factor]
    if used_flag >= 0:  # reduced decodes leave EXIF orientation to the reader's own code
        used_flag &= ~cv2.IMREAD_IGNORE_ORIENTATION
    assert used_flag == expected_flag


def test_reduction_never_goes_below_the_target():
    assert reduction_factor((1280, 1918), (160, 240)) == 8
    assert reduction_factor((1280, 1918), (320, 480)) == 4
    assert reduction_factor((1280, 1918), (640, 960)) == 2  # 959 stretched to 960: 0.1% short
    assert reduction_factor((1280, 1918), (656, 976)) == 1  # 2.5% short: decode in full
    assert reduction_factor((100, 100), (200, 200)) == 1


def test_grey_jpeg_stays_grey_and_png_is_resized(tmp_path):
    grey = _colourful(160, 160)[:, :, 0]
    cv2.imwrite(str(tmp_path / "g.jpg"), grey)
    cv2.imwrite(str(tmp_path / "c.png"), _colourful(160, 160))
    assert decode_image(tmp_path / "g.jpg", (40, 40)).shape == (40, 40)
    assert decode_image(tmp_path / "c.png", (40, 40)).shape == (40, 40, 3)
    assert decode_thumbnail(tmp_path / "g.jpg", 20).shape == (20, 20)


def test_default_working_height_follows_the_image_size():
    assert default_working_height((1280, 1918), 128) == 160   # Carvana: 1/8
    assert default_working_height((1280, 1918), 512) == 640   # GPU: 1/2
    assert default_working_height((128, 192), 128) == 128     # demo cars: as they are
    assert default_working_height((96, 96), 128) == 96


def test_gif_mask_via_pillow_equals_the_old_decoder(tmp_path):
    from PIL import Image

    mask = np.zeros((90, 130), np.uint8)
    mask[20:70, 30:100] = 1
    write_gif_mask(tmp_path / "car_mask.gif", mask)
    assert np.array_equal(decode_mask(tmp_path / "car_mask.gif"), read_mask(tmp_path / "car_mask.gif"))
    assert np.array_equal(decode_mask(tmp_path / "car_mask.gif"), mask)
    classes = Image.fromarray(np.repeat(np.arange(3, dtype=np.uint8), 30)[None].repeat(20, 0), mode="P")
    classes.putpalette([0, 0, 0, 1, 1, 1, 2, 2, 2] + [0, 0, 0] * 253)  # grey levels = class ids
    classes.save(tmp_path / "classes.gif")
    coloured = Image.fromarray(np.repeat(np.arange(3, dtype=np.uint8), 30)[None].repeat(20, 0), mode="P")
    coloured.putpalette([0, 0, 0, 200, 0, 0, 0, 90, 10] + [0, 0, 0] * 253)  # colours: non-black = object
    coloured.save(tmp_path / "coloured.gif")
    for name in ("classes.gif", "coloured.gif"):
        assert np.array_equal(decode_mask(tmp_path / name), read_mask(tmp_path / name)), name
    assert set(np.unique(decode_mask(tmp_path / "classes.gif"))) == {0, 1, 2}


def test_broken_gif_is_a_data_error(tmp_path):
    (tmp_path / "bad_mask.gif").write_bytes(b"GIF89a not really")
    with pytest.raises(DataError, match="bad_mask.gif"):
        decode_mask(tmp_path / "bad_mask.gif")


def test_cache_hits_then_invalidates_on_mtime_and_size(tmp_path):
    path = tmp_path / "a.jpg"
    _write_jpeg(path, _colourful(160, 240))
    cache = DecodeCache((40, 60))
    first = cache.image(path)
    assert cache.image(path) is first and (cache.hits, cache.misses) == (1, 1)
    assert not first.flags.writeable  # shared: nobody may change the cached pixels
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched: decoded again
    cache.image(path)
    assert cache.misses == 2
    _write_jpeg(path, 255 - _colourful(160, 240))  # new content and byte size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    changed = cache.image(path)
    assert cache.misses == 3 and np.abs(changed.astype(int) - first.astype(int)).mean() > 50
    assert DecodeCache((20, 30)).image(path).shape == (20, 30, 3)  # the working size is in the key


def test_cache_spills_to_memory_mapped_files_shared_between_processes(tmp_path):
    path = tmp_path / "a.jpg"
    _write_jpeg(path, _colourful(160, 240))
    spilling = DecodeCache((40, 60), memory_bytes=0, cache_dir=tmp_path / "cache")
    decoded = spilling.image(path)
    assert spilling.memory_used == 0 and list((tmp_path / "cache").rglob("*.npy"))
    other = DecodeCache((40, 60), memory_bytes=0, cache_dir=tmp_path / "cache")  # e.g. a worker
    again = other.image(path)
    assert isinstance(again, np.memmap) and np.array_equal(again, decoded) and other.hits == 1
    assert not list((tmp_path / "cache").rglob("*.tmp"))


def test_cached_mask_checks_it_covers_its_image(tmp_path):
    _write_jpeg(tmp_path / "a.jpg", _colourful(160, 240))
    write_gif_mask(tmp_path / "a_mask.gif", np.ones((100, 240), np.uint8))
    with pytest.raises(DataError, match="a_mask.gif.*240x100.*240x160"):
        DecodeCache((40, 60)).mask(tmp_path / "a_mask.gif", tmp_path / "a.jpg")


def test_training_items_through_the_cache_match_the_dataset_path(tmp_path):
    from core.data.carvana import open_carvana
    from core.data.writers import write_carvana
    from core.preprocess import Preprocess
    from core.training.loaders import TorchDataset, resize_mask

    images = [_colourful(160, 240), 255 - _colourful(160, 240), _colourful(160, 240)[::-1].copy()]
    masks = [(img[:, :, 0] > 120).astype(np.uint8) for img in images]
    write_carvana(tmp_path / "cars", images, masks, ["c1_01", "c2_01", "c3_01"])
    dataset = open_carvana(tmp_path / "cars")
    preprocess = Preprocess(3, (40, 64), (0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    items = TorchDataset(dataset, preprocess)
    for index in range(len(dataset)):
        assert file_source(dataset, index) is not None
        image, target = items[index]
        sample = dataset[index]
        reference = preprocess(sample.image)
        assert np.abs(image.numpy() - reference).mean() < 0.1  # within a few grey levels
        assert np.array_equal(target.numpy(), resize_mask(sample.target, (40, 64)) > 0)
    items[0]
    assert items.cache.hits == 2 and items.cache.misses == 2 * len(dataset)


def test_soft_mask_targets_keep_sub_pixel_edges(tmp_path):
    from core.data.carvana import open_carvana
    from core.data.writers import write_carvana
    from core.preprocess import Preprocess
    from core.training.loaders import TorchDataset

    image = _colourful(160, 240)
    mask = np.zeros((160, 240), np.uint8)
    mask[:, :90] = 1  # the edge falls 1/2 of the way into working pixel 22 (4x reduction)
    write_carvana(tmp_path / "cars", [image] * 3, [mask] * 3, ["c1_01", "c2_01", "c3_01"])
    dataset = open_carvana(tmp_path / "cars")
    preprocess = Preprocess(3, (40, 60), (0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    soft = TorchDataset(dataset, preprocess, soft_masks=True)[0][1].numpy()
    hard = TorchDataset(dataset, preprocess)[0][1].numpy()
    assert soft.dtype == np.float32 and set(np.unique(hard)) == {0.0, 1.0}
    assert np.allclose(soft[:, :22], 1) and np.allclose(soft[:, 23:], 0)
    assert np.allclose(soft[:, 22], 128 / 255, atol=0.01)  # half covered, not 0 or 1
    in_memory = ArrayDataset(images=[image] * 3, targets=[mask] * 3, kind="segmentation", format="test",
                             task="carvana", class_names=["background", "car"])  # not files: no cache
    assert file_source(in_memory, 0) is None
    assert np.allclose(TorchDataset(in_memory, preprocess, soft_masks=True)[0][1].numpy(), soft, atol=0.01)


def test_reduced_decode_keeps_the_readers_limits_and_exif_orientation(tmp_path, monkeypatch):
    from PIL import Image

    rgb = _colourful(160, 240)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: shown turned 90 degrees clockwise
    Image.fromarray(rgb).save(tmp_path / "turned.jpg", quality=95, exif=exif)
    shown = read_image(tmp_path / "turned.jpg")
    assert shown.shape == (240, 160, 3)
    assert decode.image_size(tmp_path / "turned.jpg") == (240, 160)
    reduced = decode_image(tmp_path / "turned.jpg", (60, 40))
    reference = cv2.resize(shown, (40, 60), interpolation=cv2.INTER_AREA)
    assert np.abs(reduced.astype(int) - reference.astype(int)).mean() < 3.0
    monkeypatch.setenv("CNN_LYTICAL_MAX_IMAGE_PIXELS", "1000")
    with pytest.raises(DataError, match="turned.jpg.*limit"):
        decode_image(tmp_path / "turned.jpg", (60, 40))
    write_gif_mask(tmp_path / "big_mask.gif", np.ones((100, 100), np.uint8))
    with pytest.raises(DataError, match="big_mask.gif.*limit"):
        decode_mask(tmp_path / "big_mask.gif")


def test_cached_masks_refuse_values_past_the_classes(tmp_path):
    from PIL import Image

    _write_jpeg(tmp_path / "a.jpg", _colourful(40, 60))
    labels = Image.fromarray(np.full((40, 60), 3, np.uint8), mode="P")
    labels.putpalette([v for i in range(256) for v in (i, i, i)])
    labels.save(tmp_path / "a_mask.gif")
    with pytest.raises(DataError, match="a_mask.gif.*mask value 3"):
        DecodeCache((20, 30), ["background", "car"]).mask(tmp_path / "a_mask.gif", tmp_path / "a.jpg")
