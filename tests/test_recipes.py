"""Task recipes fill only what the user left out, and every recipe is a valid config."""

from __future__ import annotations

import pytest

from core.models import model_info
from core.numpy_cnn.model import list_models as numpy_models
from core.recipes import RECIPES, recipe, with_recipe
from core.runs.config import TrainConfig


@pytest.mark.parametrize("key", sorted(RECIPES))
def test_every_recipe_builds_a_config_for_a_registered_model(key):
    task, engine, device = key
    config = TrainConfig.from_dict({"task": task, "engine": engine, "data": "somewhere",
                                    **RECIPES[key]})
    for name, value in RECIPES[key].items():
        assert getattr(config, name) == value  # no option silently dropped
    if "model" in RECIPES[key] and engine == "numpy":
        assert RECIPES[key]["model"] in numpy_models()
    elif "model" in RECIPES[key]:
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


@pytest.mark.parametrize("recipe_augments", [True, False])
def test_augment_flags_override_the_recipe(recipe_augments, monkeypatch):
    from core.cli import build_parser
    from core.cli.train_command import build_config

    key = ("mnist", "numpy", "cpu")
    monkeypatch.setitem(RECIPES, key, {**RECIPES[key], "augment": recipe_augments})
    parser = build_parser()
    base = ["train", "--task", "mnist", "--engine", "numpy", "--data", "/d", "--device", "cpu"]
    assert build_config(parser.parse_args(base)).augment is recipe_augments        # the recipe's
    assert build_config(parser.parse_args(base + ["--augment"])).augment is True
    assert build_config(parser.parse_args(base + ["--no-augment"])).augment is False
    assert build_config(parser.parse_args(base[:-4] + ["--device", "cpu"])).augment is True  # demo data


def test_numpy_recipe_does_not_import_torch():
    """The NumPy engine runs on the CPU: looking up its recipe must not pay torch's import."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; from core.recipes import with_recipe; "
            "values = with_recipe({'task': 'mnist', 'engine': 'numpy', 'data': '/d'}); "
            "assert 'torch' not in sys.modules, 'torch imported'; print(values['model'])")
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == recipe("mnist", "numpy", "cpu")["model"]
