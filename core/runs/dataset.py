"""The one way to build a run's dataset from its ``TrainConfig``.

Training, eval, export, reports and the GUI all call ``training_dataset`` (or
``RunDir.dataset()``), so they see the same items in the same splits: the
same path or demo size, the same seed, and the user's corrected masks whenever
the run was trained with them.
"""

from __future__ import annotations

from core.errors import DataError
from core.runs.config import TrainConfig
from core.tasks import task_spec


def training_dataset(config: TrainConfig, data: str | None = None):
    """The config's data (or another ``data`` path, read the run's way) opened with the
    task's reader, or the task's demo data. The user's mask overrides belong to the
    config's own data: applied to it whenever the config has them, never to ``data``."""
    from core.data import open_dataset

    spec = task_spec(config.task)
    path = data if data is not None else config.data
    if path is None:
        if spec.demo is None:
            raise DataError(None, f"task {config.task!r} has no demo data; pass a dataset with --data")
        dataset = spec.demo(seed=config.seed) if config.demo_size is None else \
            spec.demo(int(config.demo_size), config.seed)
    else:
        dataset = open_dataset(path, spec.reader, seed=config.seed)
    if not config.mask_overrides or data is not None:
        return dataset
    from core.annotation.overrides import with_mask_overrides

    return with_mask_overrides(dataset, config.mask_overrides)
