"""The TaskSpec table: every task's defaults in one place, read the same way by all."""

from __future__ import annotations

import pytest

from core.data.demo import DEMOS
from core.runs.config import TrainConfig
from core.tasks import TASKS, task_spec


def test_every_tasks_defaults():
    table = {name: (spec.kind, spec.reader, spec.engines, dict(spec.models),
                    spec.preprocess.size if spec.preprocess else None, spec.augmentation_kind(),
                    spec.working_size("classification"), spec.working_size("segmentation"),
                    spec.demo is not None)
             for name, spec in TASKS.items()}
    assert table == {
        "mnist": ("classification", "mnist", ("torch", "numpy"),
                  {("classification", "torch"): "lenet", ("classification", "numpy"): "lenet_numpy"},
                  (28, 28), "digits", 64, 64, True),
        "cifar10": ("classification", "cifar10", ("torch",),
                    {("classification", "torch"): "cifar_cnn"}, (32, 32), "classification", 64, 64, True),
        "carvana": ("segmentation", "carvana", ("torch",), {("segmentation", "torch"): "unet"},
                    None, "segmentation", 128, 128, True),
        "folder": (None, None, ("torch",),
                   {("classification", "torch"): "cifar_cnn", ("segmentation", "torch"): "unet"},
                   None, "segmentation", 64, 128, False),
    }


def test_a_folder_of_class_subfolders_gets_one_default_model_everywhere():
    """TrainConfig, the torch setup and the Train panel all ask the table (they once disagreed)."""
    config = TrainConfig(task="folder", data="somewhere")
    assert config.model_for("classification") == task_spec("folder").default_model("torch", "classification")
    assert config.model_for("classification") == "cifar_cnn"
    assert config.model_for("segmentation") == "unet"
    assert TrainConfig(task="folder", model="lenet").model_for("segmentation") == "lenet"


def test_demo_factories_are_the_data_packages():
    assert {name: spec.demo for name, spec in TASKS.items() if spec.demo} == DEMOS


def test_engines_and_tasks_are_checked_against_the_table():
    with pytest.raises(ValueError, match="unknown task 'coco'.*mnist"):
        TrainConfig(task="coco")
    with pytest.raises(ValueError, match="numpy engine trains MNIST only"):
        TrainConfig(task="cifar10", engine="numpy")
    with pytest.raises(ValueError, match="no numpy model"):
        task_spec("carvana").default_model("numpy")
