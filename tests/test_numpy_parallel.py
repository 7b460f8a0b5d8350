"""Data-parallel NumPy training: helper processes share each batch, as torch's DDP does."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import TrainingError
from core.numpy_cnn.losses import softmax_cross_entropy
from core.numpy_cnn.model import Sequential, build_model
from core.numpy_cnn.optim import build_optimizer
from core.numpy_cnn.parallel import MIN_SHARD, DataParallel, shard_bounds

NO_BATCHNORM = {"input_shape": [1, 8, 8], "layers": [
    {"type": "Conv2D", "name": "conv", "in_channels": 1, "out_channels": 3, "kernel_size": 3, "padding": 1},
    {"type": "ReLU", "name": "relu"},
    {"type": "MaxPool2D", "name": "pool", "kernel_size": 2},
    {"type": "Flatten", "name": "flatten"},
    {"type": "Dense", "name": "fc", "in_features": 48, "out_features": 10},
]}


def _gradients(model: Sequential, images, labels) -> tuple[float, list[np.ndarray]]:
    loss, dlogits = softmax_cross_entropy(model.forward(images, training=True), labels)
    model.backward(dlogits, input_grad=False)
    return float(loss), [grad.copy() for _, _, grad in model.named_params()]


def test_gradients_equal_the_whole_batch_without_batchnorm(rng):
    images = rng.standard_normal((10, 1, 8, 8)).astype(np.float32)
    labels = rng.integers(0, 10, 10)
    reference = Sequential.from_spec(NO_BATCHNORM, np.random.default_rng(3))
    expected_loss, expected = _gradients(reference, images, labels)
    model = Sequential.from_spec(NO_BATCHNORM, np.random.default_rng(3))
    with DataParallel(model, helpers=2, max_batch=10, seed=0) as parallel:
        assert parallel.processes_used == 3
        loss = parallel.step(images, labels)               # shards of 3, 3 and 4 items
        got = [grad.copy() for _, _, grad in model.named_params()]
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    for want, have in zip(expected, got):
        np.testing.assert_allclose(have, want, rtol=1e-4, atol=1e-6)


def test_helpers_see_each_optimiser_step_and_batchnorm_uses_each_shards_statistics(rng):
    """Two steps (the second after an Adam update in the main process) equal the mean of
    per-shard gradients computed in one process with the same weights (ghost BatchNorm)."""
    reference = build_model("lenet_fast_numpy", seed=4)
    reference.layer("dropout").p = 0.0
    model = build_model("lenet_fast_numpy", seed=4)
    model.layer("dropout").p = 0.0
    _, cut, count = shard_bounds(13, 2)                      # 6 items in the main, 7 in the helper
    share = cut / count
    with DataParallel(model, helpers=1, max_batch=count, seed=0) as parallel:
        optimizer = build_optimizer("adam", [param for _, param, _ in model.named_params()], 1e-2)
        reference_optimizer = build_optimizer("adam", [p for _, p, _ in reference.named_params()], 1e-2)
        for _ in range(2):
            images = rng.standard_normal((count, 1, 28, 28)).astype(np.float32)
            labels = rng.integers(0, 10, count)
            loss = parallel.step(images, labels)
            first_loss, first = _gradients(reference, images[:cut], labels[:cut])
            second_loss, second = _gradients(reference, images[cut:], labels[cut:])
            assert loss == pytest.approx(share * first_loss + (1 - share) * second_loss, rel=1e-5)
            mean = [share * a + (1 - share) * b for a, b in zip(first, second)]
            grads = [grad for _, _, grad in model.named_params()]
            for have, want in zip(grads, mean):
                np.testing.assert_allclose(have, want, rtol=2e-3, atol=2e-5)
            optimizer.step(grads)
            reference_optimizer.step(mean)
        weights = [param.copy() for _, param, _ in model.named_params()]
    # after close the model keeps its own copies of the trained weights, and the optimiser's
    # views of the shared block can still be read (the block is unmapped with `parallel`)
    for kept, (_, param, _) in zip(weights, model.named_params()):
        np.testing.assert_array_equal(kept, param)
    np.testing.assert_array_equal(optimizer.params[0], weights[0])


@pytest.mark.parametrize("count,processes", [(32, 2), (32, 3), (64, 2), (5, 3), (4, 2), (3, 2), (1, 2)])
def test_shards_cover_the_batch_equally(count, processes):
    bounds = shard_bounds(count, processes)
    sizes = np.diff(bounds)
    assert bounds[0] == 0 and bounds[-1] == count and len(sizes) <= processes
    assert sizes.min() >= min(MIN_SHARD, count)
    assert sizes.max() - sizes.min() <= 1
    if count >= MIN_SHARD * processes:
        assert len(sizes) == processes          # every process gets a share of a full batch


def test_a_small_last_batch_stays_in_the_main_process(rng):
    model = Sequential.from_spec(NO_BATCHNORM, np.random.default_rng(0))
    reference = Sequential.from_spec(NO_BATCHNORM, np.random.default_rng(0))
    images = rng.standard_normal((3, 1, 8, 8)).astype(np.float32)
    labels = rng.integers(0, 10, 3)
    with DataParallel(model, helpers=1, max_batch=8, seed=0) as parallel:
        loss = parallel.step(images, labels)   # 3 items: shards of 1 and 2 would break BatchNorm
    assert loss == pytest.approx(_gradients(reference, images, labels)[0], rel=1e-6)


def test_a_failing_helper_is_one_training_error(rng):
    model = Sequential.from_spec(NO_BATCHNORM, np.random.default_rng(0))
    with DataParallel(model, helpers=1, max_batch=8, seed=0) as parallel:
        bad_labels = np.array([0, 1, 2, 3, 4, 5, 6, 99])    # 99: no such class in the helper's shard
        with pytest.raises(TrainingError, match="NumPy worker process 1"):
            parallel.step(rng.standard_normal((8, 1, 8, 8)).astype(np.float32), bad_labels)
        parallel.processes[0].kill()
        parallel.processes[0].join()
        with pytest.raises(TrainingError, match="exited unexpectedly"):
            parallel.start_epoch(1)
