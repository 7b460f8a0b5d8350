"""Saving and loading NumPy models; schedules; batching helpers."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from core.errors import RunError
from core.numpy_cnn.data import batch_count, batch_indices, random_shift
from core.numpy_cnn.model import build_model
from core.numpy_cnn.schedules import LRSchedule
from core.numpy_cnn.serialize import load_model, load_weights_into, save_model


def _trained_a_little(rng):
    model = build_model("lenet_numpy", seed=4)
    model.forward(rng.standard_normal((8, 1, 28, 28)).astype(np.float32), training=True)  # BN stats move
    return model


def test_save_load_round_trip_keeps_architecture_weights_and_bn_stats(tmp_path, rng):
    model = _trained_a_little(rng)
    path = tmp_path / "model.npz"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded.spec() == model.spec()
    for key, value in model.state().items():
        np.testing.assert_array_equal(loaded.state()[key], value)
    assert np.abs(loaded.layer("bn1").buffers["running_mean"]).sum() > 0
    x = rng.standard_normal((3, 1, 28, 28)).astype(np.float32)
    np.testing.assert_array_equal(loaded.forward(x), model.forward(x))
    with np.load(path, allow_pickle=False) as archive:  # plain arrays, no pickles
        assert json.loads(str(archive["__architecture__"]))["layers"][0]["name"] == "conv1"


def test_truncated_file_gives_one_line_run_error(tmp_path, rng):
    path = tmp_path / "model.npz"
    save_model(_trained_a_little(rng), path)
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(RunError, match="corrupt or unreadable") as error:
        load_model(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_garbage_and_missing_files_give_run_errors(tmp_path):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip at all")
    with pytest.raises(RunError, match="corrupt"):
        load_model(garbage)
    with pytest.raises(RunError, match="missing"):
        load_model(tmp_path / "absent.npz")
    plain = tmp_path / "plain.npz"
    np.savez(plain, weights=np.zeros(3))
    with pytest.raises(RunError, match="not a CNN-Lytical NumPy model"):
        load_model(plain)


def test_mismatched_weights_are_refused(tmp_path, rng):
    path = tmp_path / "small.npz"
    save_model(build_model("textbook_numpy"), path)
    with pytest.raises(RunError, match="do not match"):
        load_weights_into(build_model("lenet_numpy"), path)
    # an edited shape inside an otherwise valid file
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    edited = tmp_path / "edited.npz"
    arrays = {name[:-4]: np.load(path)[name[:-4]] for name in members}
    arrays["fc.weight"] = np.zeros((10, 5), np.float32)
    np.savez(edited, **arrays)
    with pytest.raises(RunError, match="fc.weight has shape"):
        load_model(edited)


def test_schedules():
    steps = 100
    assert LRSchedule("none", 0.1, steps).lr_at(99) == 0.1
    step = LRSchedule("step", 0.1, steps)
    assert [round(step.lr_at(s), 6) for s in (0, 40, 80)] == [0.1, 0.01, 0.001]
    cosine = LRSchedule("cosine", 0.1, steps)
    assert cosine.lr_at(0) == pytest.approx(0.1) and cosine.lr_at(50) == pytest.approx(0.05)
    assert cosine.lr_at(100) == pytest.approx(0.0)
    warmup = LRSchedule("warmup", 0.1, steps, steps_per_epoch=10)
    assert warmup.lr_at(0) < warmup.lr_at(5) < warmup.lr_at(9) == pytest.approx(0.1)
    onecycle = LRSchedule("onecycle", 0.1, steps, steps_per_epoch=10)
    assert onecycle.lr_at(0) < onecycle.lr_at(10) and onecycle.lr_at(99) < 0.001
    plateau = LRSchedule("plateau", 0.1, steps)
    for metric in (0.5, 0.6, 0.6, 0.55):
        plateau.after_epoch(metric)
    assert plateau.lr_at(50) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="choose one of"):
        LRSchedule("exponential", 0.1, steps)


def test_batches_cover_every_item_once_and_skip_single_item_tail():
    batches = batch_indices(129, 64, np.random.default_rng(0))
    assert len(batches) == batch_count(129, 64) == 2
    assert len(np.unique(np.concatenate(batches))) == 128
    ordered = batch_indices(129, 64, None)
    np.testing.assert_array_equal(np.concatenate(ordered), np.arange(129))


def test_random_shift_moves_content_and_fills_background(rng):
    images = np.full((50, 1, 28, 28), -1.0, np.float32)
    images[:, :, 10:18, 10:18] = 1.0
    shifted = random_shift(images, rng, 2, np.array([-1.0], np.float32))
    assert shifted.shape == images.shape
    assert ((shifted == 1.0).sum(axis=(1, 2, 3)) == 64).all()      # nothing cropped, just moved
    assert (shifted != images).any(axis=(1, 2, 3)).sum() > 30
    assert set(np.unique(shifted)) == {-1.0, 1.0}
