"""``TaskSpec``: what each ``--task`` means, in one table the CLI, the GUI and both engines read.

A task is a learning problem (classification or segmentation) with its defaults:
model per engine, pixel recipe, augmentation, working size, demo data. Where the
pixels come from on disk is a separate thing, the *format*: one reader in
``core/data/open.py`` ``READERS`` (detected, or forced by ``reader`` here). A new
format (COCO, VOC, ...) is one reader there and needs no row here; a row is for
a task with defaults of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from core.data import demo
from core.preprocess import Preprocess

KINDS = ("classification", "segmentation")
ENGINES = ("numpy", "torch")
# Working size when a task names none: classification square side, segmentation height.
KIND_SIZES = {"classification": 64, "segmentation": 128}
MNIST_PREPROCESS = Preprocess(1, (28, 28), (0.1307,), (0.3081,))
CIFAR_PREPROCESS = Preprocess(3, (32, 32), (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))


@dataclass(frozen=True)
class TaskSpec:
    name: str                                   # --task, config.json "task"
    title: str                                  # what the GUI shows
    kind: str | None                            # classification | segmentation; None = as the data says
    reader: str | None                          # format forced on --data (core.data.open READERS); None = detect
    engines: tuple[str, ...]                    # engines that train it; the first is the default
    models: Mapping[tuple[str, str], str]       # (kind, engine) -> default registry model
    preprocess: Preprocess | None = None        # fixed pixel recipe (published statistics); None = from the data
    augmentation: str | None = None             # key of core.training.augment_options; None = the kind's
    image_size: int | None = None               # working size (see KIND_SIZES); None = the kind's
    demo: Callable[..., object] | None = field(default=None, compare=False)  # (size, seed) -> Dataset

    def kind_of(self, data_kind: str | None = None) -> str:
        """The learning task: fixed by the task, else what the data holds (a folder's
        class subfolders or masks); segmentation when nothing is known yet."""
        return self.kind or data_kind or "segmentation"

    def default_model(self, engine: str, kind: str | None = None) -> str:
        """The registry model trained when the user names none."""
        kind = self.kind_of(kind)
        try:
            return self.models[kind, engine]
        except KeyError:
            raise ValueError(f"task {self.name!r} has no {engine} model for {kind}; "
                             f"engines: {', '.join(self.engines)}") from None

    def augmentation_kind(self, kind: str | None = None) -> str:
        return self.augmentation or self.kind_of(kind)

    def working_size(self, kind: str | None = None) -> int:
        return self.image_size or KIND_SIZES[self.kind_of(kind)]


TASKS: dict[str, TaskSpec] = {spec.name: spec for spec in (
    TaskSpec("mnist", "MNIST", "classification", "mnist", ("torch", "numpy"),
             {("classification", "torch"): "lenet", ("classification", "numpy"): "lenet_numpy"},
             preprocess=MNIST_PREPROCESS, augmentation="digits", demo=demo.digits_demo),
    TaskSpec("cifar10", "CIFAR-10", "classification", "cifar10", ("torch",),
             {("classification", "torch"): "cifar_cnn"},
             preprocess=CIFAR_PREPROCESS, demo=demo.objects_demo),
    TaskSpec("carvana", "Carvana", "segmentation", "carvana", ("torch",),
             {("segmentation", "torch"): "unet"}, demo=demo.cars_demo),
    TaskSpec("folder", "Folder", None, None, ("torch",),
             {("classification", "torch"): "cifar_cnn", ("segmentation", "torch"): "unet"}),
)}
TASK_NAMES = tuple(TASKS)


def task_spec(name: str) -> TaskSpec:
    """The row for ``name``; a ValueError listing the tasks otherwise."""
    try:
        return TASKS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(TASK_NAMES)}") from None
