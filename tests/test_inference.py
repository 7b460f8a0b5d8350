"""Predictor: run directory -> probabilities for raw images of any size, torch or NumPy."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from core.errors import RunError
from core.inference import Predictor
from core.preprocess import Preprocess
from core.training.api import train
from core.runs.config import TrainConfig
from core.runs.events import EpochEnd, EventLog
from tests.trainer_helpers import cars_config, mnist_config, one_torch_thread  # noqa: F401


@pytest.fixture(scope="module")
def digit_run(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("digits") / "run"
    log = EventLog()
    train(mnist_config(out, epochs=1, limit=64), log)
    torch.set_num_threads(threads)
    return out, log.of(EpochEnd)[-1]


@pytest.fixture(scope="module")
def car_run(tmp_path_factory):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("cars") / "run"
    train(cars_config(out, epochs=1))
    torch.set_num_threads(threads)
    return out


def test_classification_predictor_matches_the_trainers_own_previews(digit_run):
    run, last_epoch = digit_run
    predictor = Predictor.from_run(run)
    assert predictor.kind == "classification" and len(predictor.class_names) == 10
    for preview in last_epoch.previews:
        np.testing.assert_allclose(predictor.predict(preview.image), preview.prediction, atol=1e-5)
    images = [preview.image for preview in last_epoch.previews]
    batch = predictor.predict_batch(images)
    for image, probabilities in zip(images, batch):
        np.testing.assert_allclose(probabilities, predictor.predict(image), atol=1e-5)
    assert Predictor.from_run(run, weights="best").predict(images[0]).shape == (10,)


def test_any_image_size_and_colour_gives_class_probabilities(digit_run, rng):
    predictor = Predictor.from_run(digit_run[0])
    for image in (rng.integers(0, 256, (50, 41, 3), dtype=np.uint8),
                  rng.integers(0, 256, (9, 13), dtype=np.uint8)):
        probabilities = predictor.predict(image, tta=True)
        assert probabilities.shape == (10,) and probabilities.dtype == np.float32
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-5)


def test_mask_probabilities_come_back_at_the_images_own_size(car_run, rng):
    predictor = Predictor.from_run(car_run)
    assert predictor.kind == "segmentation"
    for image in (rng.integers(0, 256, (77, 131, 3), dtype=np.uint8),
                  rng.integers(0, 256, (40, 33), dtype=np.uint8)):
        for tta in (False, True):
            mask = predictor.predict(image, tta=tta)
            assert mask.shape == image.shape[:2] and mask.dtype == np.float32
            assert 0.0 <= mask.min() and mask.max() <= 1.0


def _pointwise_predictor(tile_size: int) -> Predictor:
    """A 1x1 convolution: each output pixel depends on its input pixel only, so tiling
    and flipping must reproduce the whole-image answer exactly."""
    torch.manual_seed(0)
    model = torch.nn.Conv2d(3, 1, 1)
    preprocess = Preprocess(3, None, (0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    return Predictor(model, kind="segmentation", task="folder", class_names=["bg", "object"],
                     preprocess=preprocess, tile_size=tile_size, tile_overlap=16)


def test_large_images_are_predicted_in_tiles_that_join_seamlessly(rng):
    image = rng.integers(0, 256, (150, 203, 3), dtype=np.uint8)
    whole = _pointwise_predictor(tile_size=1024).predict(image)
    tiled_predictor = _pointwise_predictor(tile_size=64)
    calls = []
    forward = tiled_predictor.forward
    tiled_predictor.forward = lambda batch: calls.append(batch.shape) or forward(batch)
    tiled = tiled_predictor.predict(image)
    assert len(calls) == 3 * 4 and all(shape[-2:] == (64, 64) for shape in calls)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)
    np.testing.assert_allclose(tiled_predictor.predict(image, tta=True), whole, atol=1e-5)


def test_predictions_from_two_threads_agree_with_one(digit_run, rng):
    predictor = Predictor.from_run(digit_run[0])
    images = [rng.integers(0, 256, (28, 28), dtype=np.uint8) for _ in range(8)]
    expected = [predictor.predict(image) for image in images]
    results: dict[int, list] = {0: [], 1: []}

    def work(slot: int) -> None:
        for _ in range(5):
            results[slot].append([predictor.predict(image) for image in images])

    threads = [threading.Thread(target=work, args=(slot,)) for slot in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for runs in results.values():
        for run in runs:
            np.testing.assert_allclose(np.stack(run), np.stack(expected), atol=1e-6)


def test_inspector_sees_filters_and_feature_maps(digit_run, rng):
    predictor = Predictor.from_run(digit_run[0])
    assert predictor.first_layer_filters().shape == (16, 1, 3, 3)
    maps = predictor.feature_maps(rng.integers(0, 256, (28, 28), dtype=np.uint8))
    assert [name for name, _ in maps] == ["0", "4"]
    assert maps[0][1].shape == (16, 28, 28) and maps[1][1].shape == (32, 14, 14)


def test_numpy_runs_load_through_the_same_entry_point(tmp_path, rng):
    out = tmp_path / "numpy"
    train(TrainConfig(task="mnist", engine="numpy", epochs=1, demo_size=200, limit=64, out=str(out)))
    predictor = Predictor.from_run(out)
    assert type(predictor).__name__ == "NumpyPredictor" and predictor.kind == "classification"
    probabilities = predictor.predict(rng.integers(0, 256, (28, 28), dtype=np.uint8))
    assert probabilities.shape == (10,)


def test_unusable_run_directories_are_one_line_errors(tmp_path, digit_run):
    with pytest.raises(RunError, match="does not exist"):
        Predictor.from_run(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunError, match="not a run directory"):
        Predictor.from_run(tmp_path / "empty")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "config.json").write_text((digit_run[0] / "config.json").read_text())
    with pytest.raises(RunError, match="no weights yet"):
        Predictor.from_run(fresh)
    (fresh / "model.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(RunError, match="model.pt: cannot read weights"):
        Predictor.from_run(fresh)
