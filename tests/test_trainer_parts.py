"""The Trainer's parts: optimisers, schedules, devices, preprocessing, loaders, set-up."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from core.data import demo_dataset, split_view
from core.errors import TrainingError
from core.tasks import task_spec
from core.training.ddp import Distributed
from core.training.device import autocast_dtype, memory_format, pick_device
from core.training.loaders import (LoaderOptions, TorchDataset, make_loader, make_preprocess,
                                   resize_mask)
from core.training.schedules import Schedule, build_optimizer
from core.training.setup import build_setup
from tests.trainer_helpers import cars_config, mnist_config, one_torch_thread  # noqa: F401


def _parameters():
    return [torch.nn.Parameter(torch.ones(3))]


@pytest.mark.parametrize("name, kind, momentum, nesterov", [
    ("sgd", torch.optim.SGD, 0, False), ("momentum", torch.optim.SGD, 0.9, False),
    ("nesterov", torch.optim.SGD, 0.9, True), ("adam", torch.optim.Adam, None, None),
    ("adamw", torch.optim.AdamW, None, None), ("rmsprop", torch.optim.RMSprop, None, None),
])
def test_optimizers_by_name(name, kind, momentum, nesterov):
    optimizer = build_optimizer(name, _parameters(), lr=0.1, weight_decay=0.01)
    assert type(optimizer) is kind and optimizer.defaults["weight_decay"] == 0.01
    if momentum is not None:
        assert optimizer.defaults["momentum"] == momentum
        assert optimizer.defaults["nesterov"] == nesterov


def test_schedules_step_when_they_should():
    def lrs(name, metric=None, epochs=4, batches=5):
        optimizer = build_optimizer("sgd", _parameters(), lr=1.0)
        schedule = Schedule(name, optimizer, lr=1.0, epochs=epochs, steps_per_epoch=batches)
        seen = []
        for _ in range(epochs):
            for _ in range(batches):
                optimizer.step()
                schedule.after_batch()
            schedule.after_epoch(metric)
            seen.append(schedule.lr)
        return seen

    assert lrs("none") == [1.0] * 4
    cosine = lrs("cosine")
    assert cosine[0] == pytest.approx(0.5 * (1 + np.cos(np.pi / 4))) and cosine[-1] == pytest.approx(0)
    assert lrs("step", epochs=6) == pytest.approx([1, 0.1, 0.1, 0.01, 0.01, 0.001])
    # A validation metric stuck at 0.5 halves the rate after 2 epochs of patience.
    assert lrs("plateau", metric=0.5, epochs=5) == [1.0, 1.0, 1.0, 0.5, 0.5]
    onecycle = lrs("onecycle", epochs=2, batches=10)
    assert onecycle[0] > 0.5 and onecycle[-1] < 1e-4  # warmed up, then annealed to its floor
    optimizer = build_optimizer("sgd", _parameters(), lr=1.0)
    planned = Schedule("onecycle", optimizer, lr=1.0, epochs=1, steps_per_epoch=3)
    for _ in range(10):  # more batches than planned: no error, the rate stays at the floor
        optimizer.step()
        planned.after_batch()
    assert planned.lr < 1e-4
    with pytest.raises(ValueError, match="unknown schedule"):
        lrs("linear")


def test_cpu_device_and_cuda_only_speedups():
    assert pick_device("cpu").type == "cpu"
    assert pick_device("auto").type in ("cpu", "cuda", "mps")
    cpu = torch.device("cpu")
    assert autocast_dtype(cpu, enabled=True) is None
    assert memory_format(cpu, channels_last=True) == torch.channels_last   # oneDNN's NHWC is faster
    assert memory_format(cpu, channels_last=False) == torch.contiguous_format
    assert memory_format(torch.device("meta"), channels_last=True) == torch.contiguous_format
    if not torch.cuda.is_available():
        with pytest.raises(TrainingError, match="no CUDA GPU"):
            pick_device("cuda")
    with pytest.raises(TrainingError, match="unknown device"):
        pick_device("tpu")


def test_preprocess_per_task():
    mnist = make_preprocess(task_spec("mnist"), demo_dataset("mnist", size=20), None)
    assert (mnist.channels, mnist.size, mnist.mean, mnist.std) == (1, (28, 28), (0.1307,), (0.3081,))
    cifar = make_preprocess(task_spec("cifar10"), demo_dataset("cifar10", size=20), None)
    assert cifar.channels == 3 and cifar.size == (32, 32) and cifar.mean[0] == pytest.approx(0.4914)
    cars = demo_dataset("carvana", size=8)
    assert make_preprocess(task_spec("carvana"), cars, None).size == (128, 192)
    assert make_preprocess(task_spec("carvana"), cars, 0).size is None


def test_masks_are_resized_nearest_and_stay_labels():
    mask = np.zeros((128, 192), np.uint8)
    mask[10:70, 20:121] = 1
    small = resize_mask(mask, (33, 47))
    assert small.shape == (33, 47) and set(np.unique(small)) == {0, 1}


def test_augmentation_only_on_the_training_split(tmp_path):
    setup = build_setup(cars_config(tmp_path / "r", image_size=32), Distributed())
    train_set, val_set = setup.train_loader.dataset, setup.val_loader.dataset
    assert train_set.augmentation is not None and val_set.augmentation is None
    torch.manual_seed(0)
    first, second = train_set[0], train_set[0]
    assert not torch.equal(first[0], second[0])  # random crops/flips/jitter differ
    assert torch.equal(val_set[0][0], val_set[0][0])
    image, mask = val_set[0]
    assert image.shape == (3, 32, 48) and mask.shape == (32, 48)
    assert set(mask.unique().tolist()) <= {0.0, 1.0}


def test_user_mask_overrides_weight_the_changed_pixels(tmp_path):
    from core.annotation.storage import MaskStore

    dataset = demo_dataset("carvana", size=24)
    train_index = int(dataset.splits["train"][0])
    original = dataset[train_index].target
    corrected = original.copy()
    corrected[:, : corrected.shape[1] // 4] = 1  # the user paints the left quarter as car
    MaskStore(tmp_path / "masks").save(dataset.item_id(train_index), corrected, binary=True)

    config = cars_config(tmp_path / "r", image_size=0, augment=False, changed_pixel_weight=5.0,
                         mask_overrides=str(tmp_path / "masks"))
    train_set = build_setup(config, Distributed()).train_loader.dataset
    image, target, weight = train_set[0]
    changed = corrected != original
    np.testing.assert_array_equal(target.numpy(), corrected.astype(np.float32))
    np.testing.assert_array_equal(weight.numpy(), np.where(changed, 5.0, 1.0))
    assert torch.equal(train_set[1][2], torch.ones_like(train_set[1][2]))  # not corrected


def test_fine_tuning_starts_from_the_other_runs_weights(tmp_path):
    from core.training.api import train
    from core.runs.weights import unwrap

    train(mnist_config(tmp_path / "first", epochs=1, limit=32))
    setup = build_setup(mnist_config(tmp_path / "second", init_from=str(tmp_path / "first"),
                                     label_smoothing=0.1), Distributed())
    best = torch.load(tmp_path / "first" / "best.pt", weights_only=False)["state_dict"]
    for name, tensor in unwrap(setup.step.model).state_dict().items():
        assert torch.equal(tensor, best[name]), name
    assert setup.step.loss_fn.label_smoothing == 0.1


def test_gradient_clipping_bounds_the_step(tmp_path):
    from core.runs.events import CancelToken
    from core.training.loop import train_epoch

    setup = build_setup(mnist_config(tmp_path / "r", optimizer="sgd", lr=1.0, grad_clip=1e-3,
                                     limit=32, batch_size=32), Distributed())
    model = setup.step.model
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    train_epoch(setup.step, setup.train_loader, epoch=1, cancel=CancelToken())
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert 0 < float((after - before).norm()) <= 1e-3 + 1e-7


def test_spawned_workers_load_batches(tmp_path):
    dataset = demo_dataset("mnist", size=40)
    view = split_view(dataset, "train")
    train_set = TorchDataset(view, make_preprocess(task_spec("mnist"), dataset, None))
    loader = make_loader(train_set, LoaderOptions(batch_size=16, workers=1))
    assert loader.multiprocessing_context.get_start_method() == "spawn"
    assert loader.persistent_workers
    images, labels = next(iter(loader))
    assert images.shape == (16, 1, 28, 28) and labels.dtype == torch.int64


def test_a_folder_of_classes_gets_the_cifar_cnn(tmp_path):
    from core.data.writers import write_image

    rng = np.random.default_rng(0)
    for label in ("cats", "dogs", "owls"):
        for index in range(10):
            write_image(tmp_path / "data" / label / f"{index}.png",
                        rng.integers(0, 256, (20, 24, 3), dtype=np.uint8))
    config = mnist_config(tmp_path / "r", task="folder", data=str(tmp_path / "data"), demo_size=None)
    setup = build_setup(config, Distributed())
    assert setup.model_name == "cifar_cnn" and setup.class_names == ["cats", "dogs", "owls"]
    assert setup.preprocess.channels == 3 and setup.preprocess.size == (32, 32)  # the model's size
    assert setup.model_options["num_classes"] == 3
    setup.run_dir.release()  # the trainer does this at the run's end
    sized = build_setup(replace(config, image_size=48), Distributed())
    assert sized.preprocess.size == (48, 48)
    assert sized.train_loader.dataset[0][0].shape == (3, 48, 48)


def test_unlabelled_images_in_a_mask_folder_are_a_clear_error(tmp_path):
    from core.data.writers import write_image
    from core.errors import DataError
    from core.training.api import train

    rng = np.random.default_rng(0)
    for index in range(12):
        write_image(tmp_path / "data" / f"{index:02d}.png",
                    rng.integers(0, 256, (24, 24, 3), dtype=np.uint8))
    config = cars_config(tmp_path / "r", task="folder", data=str(tmp_path / "data"), demo_size=None)
    with pytest.raises(DataError, match="has no mask"):
        train(config)


def test_multi_class_masks_train_with_cross_entropy(tmp_path):
    from core.data.writers import write_mask_folder
    from core.inference import Predictor
    from core.training.api import train

    rng = np.random.default_rng(0)
    images, masks = [], []
    for _ in range(20):
        mask = np.zeros((32, 48), np.uint8)
        mask[4:14, 5:20] = 1
        mask[18:28, 25:44] = 2
        images.append(np.where(mask[..., None] > 0, 200, 40).astype(np.uint8)
                      + rng.integers(0, 30, (32, 48, 3), dtype=np.uint8))
        masks.append(mask)
    root = write_mask_folder(tmp_path / "data", images, masks, [f"{i:02d}" for i in range(20)])
    (root / "classes.txt").write_text("background\nsquare\nbar\n")
    config = cars_config(tmp_path / "run", task="folder", data=str(root), demo_size=None,
                         image_size=32, augment=False)
    summary = train(config)
    assert summary["status"] == "finished"
    setup_record = (tmp_path / "run" / "config.json").read_text()
    assert '"num_classes": 3' in setup_record
    probabilities = Predictor.from_run(tmp_path / "run").predict(images[0])
    assert probabilities.shape == (3, 32, 48)
    np.testing.assert_allclose(probabilities.sum(axis=0), 1.0, atol=1e-5)
