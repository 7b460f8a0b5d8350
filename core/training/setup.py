"""Everything a torch run needs, built from a TrainConfig before the first epoch:
data and loaders, preprocessing, model, loss, optimiser, schedule, device,
run directory. Kept apart from the epoch loop so each stays readable.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from core.data.base import Sample, split_view
from core.errors import RunError, TrainingError
from core.preprocess import Preprocess
from core.training import checkpoint
from core.runs import weights
from core.runs.config import TrainConfig
from core.tasks import task_spec
from core.training.ddp import Distributed
from core.training.loaders import (ChangedPixels, LoaderOptions, TorchDataset, limit_view, make_loader,
                                   make_preprocess)
from core.training.loop import Step
from core.runs.dataset import training_dataset
from core.runs.run_dir import RunDir, default_run_dir, starting_weights

PREVIEW_COUNT = 4


@dataclass
class RunSetup:
    config: TrainConfig
    kind: str
    class_names: list[str]
    preprocess: Preprocess
    model_name: str
    model_options: dict[str, Any]
    device: Any
    step: Step
    meter: Any
    train_loader: Any
    val_loader: Any
    test_loader: Any
    run_dir: RunDir
    preview_items: list[Sample] | None
    distributed: Distributed
    generator: Any = None
    created: float = field(default_factory=time.perf_counter)

    @property
    def config_record(self) -> dict[str, Any]:
        """config.json: the TrainConfig plus what rebuilds the model and its inputs."""
        return {**self.config.to_dict(), "engine": "torch", "task": self.config.task,
                "kind": self.kind, "class_names": list(self.class_names),
                "preprocess": self.preprocess.to_dict(), "model": self.model_name,
                "model_options": dict(self.model_options)}

    @property
    def weights_meta(self) -> dict[str, Any]:
        return {"model": self.model_name, "model_options": dict(self.model_options),
                "kind": self.kind, "class_names": list(self.class_names),
                "preprocess": self.preprocess.to_dict()}

    def reseed_shuffle(self, epoch: int) -> None:
        """The epoch's shuffle order depends on (seed, epoch) only: resumable exactly."""
        sampler = self.train_loader.sampler
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)
        elif self.generator is not None:
            self.generator.manual_seed(self.config.seed * 100_003 + epoch)

    def predictor(self):
        from core.inference import Predictor

        return Predictor(weights.unwrap(self.step.model), kind=self.kind, task=self.config.task,
                         class_names=self.class_names, preprocess=self.preprocess,
                         device=self.device, model_name=self.model_name)


def build_setup(config: TrainConfig, distributed: Distributed) -> RunSetup:
    """Claim the run folder (one writer; see RunDir.claim), then build everything else."""
    config = resolve_resume(config)
    run_dir = RunDir(config.out, writable=distributed.is_main)
    run_dir.claim(fresh=not config.resume, overwrite=config.overwrite)
    try:
        return _build(config, distributed, run_dir)
    except BaseException:
        run_dir.release()
        raise


def _build(config: TrainConfig, distributed: Distributed, run_dir: RunDir) -> RunSetup:
    from core.training.device import pick_device

    device = pick_device(config.device, distributed.local_rank if distributed.enabled else None)
    checkpoint.seed_everything(config.seed)
    dataset = load_dataset(config)
    kind, class_names = dataset.kind, list(dataset.class_names)
    model_name, info = _model_info(config, kind)
    preprocess = make_preprocess(task_spec(config.task), dataset, config.image_size)
    if (kind == "classification" and info.input_size and not config.image_size
            and preprocess.size != tuple(info.input_size)):  # the model's own size by default
        preprocess = replace(preprocess, size=tuple(info.input_size))
    outputs = len(class_names) if kind == "classification" or len(class_names) > 2 else 1
    model_options = {**config.model_options, "in_channels": preprocess.channels,
                     "num_classes": outputs}
    loaders = _loaders(config, dataset, preprocess, outputs == 1, device, distributed)
    step, meter = _step(config, model_name, model_options, kind, outputs, device, distributed,
                        steps_per_epoch=len(loaders["train"]))
    val_view = split_view(dataset, "val")
    previews = [val_view[i] for i in range(min(PREVIEW_COUNT, len(val_view)))]
    return RunSetup(config, kind, class_names, preprocess, model_name, model_options, device,
                    step, meter, loaders["train"], loaders["val"], loaders.get("test"), run_dir,
                    previews, distributed, loaders["generator"])


def resolve_resume(config: TrainConfig) -> TrainConfig:
    """With ``resume``: the stored config wins, except epochs (the new total), device, workers."""
    if config.resume:
        run = RunDir.open(config.resume)
        stored = run.read_config()
        if stored.get("engine") != "torch":
            raise RunError(run.path, "not a torch run; the numpy engine resumes on its own")
        if not run.weights_file("checkpoint", "torch").is_file():
            raise RunError(run.weights_file("checkpoint", "torch"), "no checkpoint to resume from")
        config = replace(TrainConfig.from_dict(stored), epochs=config.epochs, device=config.device,
                         workers=config.workers, resume=str(run.path), out=str(run.path))
    elif not config.out:
        config = replace(config, out=str(default_run_dir(config.task, config.engine)))
    return config


def load_dataset(config: TrainConfig):
    """The dataset to train on, with the user's mask overrides when configured."""
    dataset = training_dataset(config)
    for split in ("train", "val"):
        if len(dataset.splits.get(split, ())) == 0:
            raise TrainingError(f"{config.data or 'demo data'}: the {split} split is empty; "
                                "training needs train and val items")
    return dataset


def _model_info(config: TrainConfig, kind: str):
    from core.models import model_info

    try:
        name = config.model_for(kind)
        info = model_info(name)
    except ValueError as error:
        raise TrainingError(str(error)) from None
    if info.kind != kind:
        raise TrainingError(f"model {name!r} is a {info.kind} model but the {config.task} "
                            f"data is {kind}")
    return name, info


def _loaders(config, dataset, preprocess, binary, device, distributed) -> dict:
    import torch

    from core.training.augment import build_augmentation

    augmentation = None
    if config.augment:
        augment_kind = task_spec(config.task).augmentation_kind(dataset.kind)
        augmentation = build_augmentation(augment_kind, preprocess.size, config.augment_options)
    pin = device.type == "cuda"
    views = {split: split_view(dataset, split) for split in ("train", "val", "test")
             if len(dataset.splits.get(split, ())) > 0}
    views["train"] = limit_view(views["train"], config.limit)
    changed = None
    if config.changed_pixel_weight > 1 and hasattr(dataset, "changed_pixels"):
        changed = ChangedPixels(dataset, views["train"])
    train_set = TorchDataset(views["train"], preprocess, binary_mask=binary,
                             augmentation=augmentation, changed_pixels=changed,
                             changed_weight=config.changed_pixel_weight,
                             soft_masks=True)  # area-coverage targets: sharper full-size edges
    generator = torch.Generator().manual_seed(config.seed)
    sampler = distributed.sampler(train_set, shuffle=True, seed=config.seed)
    loaders = {"generator": generator, "train": make_loader(
        train_set, LoaderOptions(config.batch_size, config.workers, pin, shuffle=True),
        sampler=sampler, generator=generator)}
    for split in ("val", "test"):
        if split in views:
            loaders[split] = make_loader(TorchDataset(views[split], preprocess, binary_mask=binary),
                                         LoaderOptions(config.batch_size, config.workers, pin))
    return loaders


def _step(config, model_name, model_options, kind, outputs, device, distributed, *,
          steps_per_epoch: int):
    import torch

    from core.models import create_model
    from core.training.device import autocast_dtype, memory_format
    from core.training.losses import build_loss
    from core.training.metrics import ClassificationMeter, SegmentationMeter
    from core.training.schedules import Schedule, build_optimizer

    model = create_model(model_name, **model_options)
    if config.init_from:
        checkpoint.load_weights_into(model, starting_weights(config.init_from))
    fmt = memory_format(device, config.channels_last)
    model = model.to(device, memory_format=fmt)
    optimizer = build_optimizer(config.optimizer, model.parameters(), config.lr, config.weight_decay)
    if config.compile:
        model = torch.compile(model)
    model = distributed.wrap(model, device)
    schedule = Schedule(config.schedule, optimizer, lr=config.lr, epochs=config.epochs,
                        steps_per_epoch=steps_per_epoch)
    loss_name = config.loss
    if loss_name == "auto" and kind == "segmentation" and outputs > 1:
        loss_name = "ce"
    loss_options = {"label_smoothing": config.label_smoothing} \
        if loss_name in ("ce", "auto") and config.label_smoothing else {}
    loss_fn = build_loss(loss_name, kind, **loss_options).to(device)
    amp = autocast_dtype(device, config.amp)
    scaler = torch.amp.GradScaler("cuda") if amp == torch.float16 else None
    meter = ClassificationMeter(outputs) if kind == "classification" else SegmentationMeter()
    step = Step(model, loss_fn, optimizer, schedule, device, amp, scaler,
                fmt, config.grad_clip,
                distributed if distributed.enabled else None)
    return step, meter
