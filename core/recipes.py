"""Training recipes: what ``train --task T --data D`` uses when no other flag is given.

Each recipe was measured on the real dataset (docs/recipes.md has the command,
the time and the score beside its goal). A recipe fills only the options the
user left out; demo data (no ``--data``) keeps TrainConfig's quick defaults, so
a first look and the tests stay fast. The CUDA rows are the GPU recipes: a larger
working size or a wider net, AMP (on by default on CUDA); they were written
without a GPU to measure them on.
"""

from __future__ import annotations

from typing import Any, Mapping

CPU, CUDA = "cpu", "cuda"

RECIPES: dict[tuple[str, str, str], Mapping[str, Any]] = {  # (task, engine, device) -> options
    ("carvana", "torch", CPU): {  # U-Net at 1/8 scale (160x240 for 1918x1280): Dice 0.986, 26 min
        "model": "unet", "epochs": 18, "batch_size": 4, "optimizer": "adam", "lr": 2e-3,
        "schedule": "onecycle", "loss": "bce_dice",
        "augment_options": {"hflip": True, "crop": 0.8, "rotation": False, "color_jitter": 0.1}},
    ("carvana", "torch", CUDA): {  # half scale (640x960), as milesial/Pytorch-UNet's 0.988
        "model": "unet", "image_size": 640, "model_options": {"base_width": 32},
        "epochs": 40, "batch_size": 8, "optimizer": "adam", "lr": 1e-3,
        "schedule": "onecycle", "loss": "bce_dice", "workers": 4,
        "augment_options": {"hflip": True, "crop": 0.8, "rotation": False, "color_jitter": 0.1}},
    ("cifar10", "torch", CPU): {  # narrow ResNet-9, channels-last: 85.8% (86.7% flip-averaged) in 14 epochs
        "model": "resnet_cifar", "model_options": {"width": 16}, "epochs": 14, "batch_size": 128,
        "optimizer": "nesterov", "lr": 0.2, "weight_decay": 5e-4, "schedule": "onecycle",
        "label_smoothing": 0.1,  # flips only: a short schedule underfits more than it overfits
        "augment_options": {"hflip": True, "crop": False, "rotation": False, "color_jitter": False}},
    ("cifar10", "torch", CUDA): {  # Page's ResNet-9 width, airbench-style short schedule
        "model": "resnet_cifar", "model_options": {"width": 64}, "epochs": 24, "batch_size": 512,
        "optimizer": "nesterov", "lr": 0.4, "weight_decay": 5e-4, "schedule": "onecycle",
        "label_smoothing": 0.2, "workers": 4,
        "augment_options": {"hflip": True, "crop": 0.8, "rotation": False, "color_jitter": False}},
    ("mnist", "numpy", CPU): {  # pool-first net, two processes, 10 epochs: 99.37% in 171 s (docs/recipes.md)
        "model": "lenet_fast_numpy", "epochs": 10, "batch_size": 64, "optimizer": "adam", "lr": 3e-3,
        "schedule": "onecycle", "label_smoothing": 0.1, "augment": True,  # 2-pixel shifts
        "workers": 1},  # one helper process: each takes a share of every batch
    ("mnist", "torch", CPU): {  # the NumPy net's twin: 99.38% in 20 epochs, 13 min (12 epochs: 99.26%)
        "model": "lenet", "epochs": 20, "batch_size": 128, "optimizer": "adam", "lr": 3e-3,
        "schedule": "onecycle"},
}
RECIPES[("mnist", "torch", CUDA)] = RECIPES[("mnist", "torch", CPU)]


def recipe(task: str, engine: str, device: str) -> dict[str, Any]:
    """The options of ``task``'s recipe on ``device`` ("cpu" or "cuda"); {} when none."""
    return dict(RECIPES.get((task, engine, CUDA if device == CUDA else CPU), {}))


def with_recipe(values: dict[str, Any]) -> dict[str, Any]:
    """TrainConfig values with the task's recipe under them: given options win.

    Demo data (no ``data``) and resumed runs keep what they have."""
    if values.get("data") is None or values.get("resume"):
        return values
    task = values.get("task", "mnist")
    engine = values.get("engine", "torch")
    device = CPU if engine == "numpy" else _device_type(values.get("device", "auto"))  # no torch import
    defaults = recipe(task, engine, device)
    if values.get("model") not in (None, defaults.get("model")):  # another model: not its options
        defaults.pop("model_options", None)
    return {**defaults, **values}


def _device_type(device: str) -> str:
    if device != "auto":
        return CUDA if device.startswith("cuda") else CPU
    try:
        import torch
    except ImportError:
        return CPU
    return CUDA if torch.cuda.is_available() else CPU
