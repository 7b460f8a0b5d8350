"""Hand-written backprop against autograd: the NumPy lenet_numpy and the torch lenet
start from the same weights (init.npz / init.pt, cross-engine ``init_from``) and
learn comparably on the same demo digits."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.errors import RunError
from core.numpy_cnn.model import build_model
from core.numpy_cnn.serialize import load_model, save_model
from core.numpy_cnn.torch_twin import to_torch
from core.numpy_cnn.trainer import train_numpy
from core.runs import weights
from core.runs.config import TrainConfig
from core.training.trainer import train_torch

# Demo digits: 1500 items -> 1200 train / 150 val / 150 test; 2 epochs, no augmentation.
COMMON = dict(task="mnist", epochs=2, batch_size=32, lr=2e-3, optimizer="adam", augment=False,
              demo_size=1500, seed=0, device="cpu")


def _state(path) -> dict[str, torch.Tensor]:
    return weights.load(path)["state_dict"]


def _assert_same_weights(left: dict, right: dict) -> None:
    assert left.keys() == right.keys()
    for key in left:
        assert torch.equal(left[key].float(), right[key].float()), key


def _last_epoch(run) -> dict:
    return json.loads((run / "metrics.jsonl").read_text().splitlines()[-1])


@pytest.fixture(scope="module")
def twin_runs(tmp_path_factory):
    """numpy run (fresh init) -> torch run started from its init.npz."""
    root = tmp_path_factory.mktemp("twins")
    train_numpy(TrainConfig(engine="numpy", out=str(root / "np"), **COMMON))
    train_torch(TrainConfig(engine="torch", model="lenet", out=str(root / "tw"),
                            init_from=str(root / "np" / "init.npz"), **COMMON))
    return root / "np", root / "tw"


def test_torch_run_starts_from_exactly_the_numpy_initial_weights(twin_runs):
    numpy_run, torch_run = twin_runs
    numpy_init = to_torch(load_model(numpy_run / "init.npz")).state_dict()
    _assert_same_weights(_state(torch_run / "init.pt"), numpy_init)
    # ...and init.npz is the untrained net (seed 0), not the weights after training
    fresh = build_model("lenet_numpy", seed=0).state()
    for key, value in load_model(numpy_run / "init.npz").state().items():
        np.testing.assert_array_equal(value, fresh[key])
    assert not torch.equal(_state(torch_run / "model.pt")["0.weight"], numpy_init["0.weight"])


def test_twins_learn_comparably_on_the_same_data(twin_runs):
    numpy_last, torch_last = (_last_epoch(run) for run in twin_runs)
    for last in (numpy_last, torch_last):
        assert last["epoch"] == 2 and last["accuracy"] >= 0.6, last   # chance is 0.1
    # Shuffling orders and dropout masks differ, so the curves only agree loosely:
    # each engine's val loss within a factor 2.5 of the other's. Measured at seed 0:
    # numpy 0.44, torch 0.40, accuracy 0.93 both; on 800 items one run lagged by up to 1.75x.
    ratio = numpy_last["val_loss"] / torch_last["val_loss"]
    assert 1 / 2.5 <= ratio <= 2.5, (numpy_last, torch_last)


def test_numpy_run_starts_from_a_torch_lenet_init_pt(tmp_path):
    torch_run, numpy_run = tmp_path / "tw", tmp_path / "np"
    one_epoch = {**COMMON, "epochs": 1, "demo_size": 200, "seed": 3}
    train_torch(TrainConfig(engine="torch", model="lenet", out=str(torch_run), **one_epoch))
    train_numpy(TrainConfig(engine="numpy", out=str(numpy_run), init_from=str(torch_run / "init.pt"),
                            **one_epoch))
    converted = to_torch(load_model(numpy_run / "init.npz")).state_dict()
    _assert_same_weights(converted, _state(torch_run / "init.pt"))


def test_resume_keeps_the_original_init(tmp_path):
    run = tmp_path / "np"
    options = {**COMMON, "epochs": 1, "demo_size": 200}
    train_numpy(TrainConfig(engine="numpy", out=str(run), **options))
    before = (run / "init.npz").read_bytes()
    train_numpy(TrainConfig(engine="numpy", resume=str(run), **{**options, "epochs": 2}))
    assert (run / "init.npz").read_bytes() == before


def test_different_architectures_are_refused_with_the_file_named(tmp_path):
    textbook = tmp_path / "textbook.npz"
    save_model(build_model("textbook_numpy"), textbook)
    with pytest.raises(RunError, match="textbook.npz.*different architecture"):
        train_torch(TrainConfig(engine="torch", model="lenet", out=str(tmp_path / "tw"),
                                init_from=str(textbook), **{**COMMON, "demo_size": 200}))
    cifar = tmp_path / "cifar.pt"
    weights.save(cifar, {"state_dict": {"0.weight": torch.zeros(3, 3)}, "meta": {}})
    with pytest.raises(RunError, match="cifar.pt.*architecture"):
        train_numpy(TrainConfig(engine="numpy", out=str(tmp_path / "np"), init_from=str(cifar),
                                **{**COMMON, "demo_size": 200}))
