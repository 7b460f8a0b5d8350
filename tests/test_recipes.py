"""Task recipes fill only what the user left out, and every recipe is a valid config."""

from __future__ import annotations

import pytest

from core.models import model_info
from core.recipes import RECIPES, recipe, with_recipe
from core.runs.config import TrainConfig


@pytest.mark.parametrize("key", sorted(RECIPES))
def test_every_recipe_builds_a_config_for_a_registered_model(key):
    task, engine, device = key
    config = TrainConfig.from_dict({"task": task, "engine": engine, "data": "somewhere",
                                    **RECIPES[key]})
    for name, value in RECIPES[key].items():
        assert getattr(config, name) == value  # no option silently dropped
    if "model" in RECIPES[key]:
        info = model_info(RECIPES[key]["model"])
        assert set(RECIPES[key].get("model_options", {})) <= set(info.default_options)


def test_given_options_win_and_demo_data_keeps_the_quick_defaults():
    given = {"task": "cifar10", "data": "/data/cifar", "epochs": 2, "device": "cpu"}
    values = with_recipe(given)
    assert values["epochs"] == 2 and values["model"] == "resnet_cifar"
    assert values["schedule"] == recipe("cifar10", "torch", "cpu")["schedule"]
    assert with_recipe({"task": "cifar10", "device": "cpu"}) == {"task": "cifar10", "device": "cpu"}
    resumed = {"task": "carvana", "data": "/d", "resume": "runs/x", "device": "cpu"}
    assert with_recipe(resumed) == resumed


def test_another_model_does_not_inherit_the_recipe_models_options():
    values = with_recipe({"task": "cifar10", "data": "/d", "model": "cifar_cnn", "device": "cpu"})
    assert values["model"] == "cifar_cnn" and "model_options" not in values
    assert values["epochs"] == recipe("cifar10", "torch", "cpu")["epochs"]


def test_gpu_recipes_work_larger():
    cpu, gpu = recipe("carvana", "torch", "cpu"), recipe("carvana", "torch", "cuda")
    assert gpu["image_size"] > 160 and gpu["epochs"] >= cpu["epochs"]
    assert recipe("cifar10", "torch", "cuda")["model_options"]["width"] > \
        recipe("cifar10", "torch", "cpu")["model_options"]["width"]


def test_augment_flag_overrides_a_recipe_that_switches_augmentation_off():
    from core.cli import build_parser
    from core.cli.train_command import build_config

    parser = build_parser()
    base = ["train", "--task", "mnist", "--engine", "numpy", "--data", "/d", "--device", "cpu"]
    assert recipe("mnist", "numpy", "cpu")["augment"] is False
    assert build_config(parser.parse_args(base)).augment is False             # the recipe's
    assert build_config(parser.parse_args(base + ["--augment"])).augment is True
    assert build_config(parser.parse_args(base[:-4] + ["--device", "cpu"])).augment is True  # demo data
    assert build_config(parser.parse_args(base + ["--no-augment"])).augment is False
