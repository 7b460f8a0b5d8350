"""TrainConfig: every option of a training run, in one commented dataclass.

The CLI builds it from arguments, the GUI from its Train panel; it is saved as
``config.json`` in the run directory so a run can be resumed, evaluated and
exported without guessing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from core.tasks import ENGINES, TASKS, task_spec


@dataclass
class TrainConfig:
    task: str = "mnist"                 # mnist | cifar10 | carvana | folder
    engine: str = "torch"               # numpy (MNIST only) | torch
    model: str | None = None            # registry name; None = the task's default
    model_options: dict[str, Any] = field(default_factory=dict)  # e.g. {"base_width": 16}
    data: str | None = None             # dataset path; None = built-in demo data
    out: str | None = None              # run directory; None = runs/<task>-<engine>-<time>
    overwrite: bool = False             # a fresh run may replace the run already in ``out``
    epochs: int = 5
    batch_size: int = 64
    lr: float = 1e-3
    optimizer: str = "adam"             # sgd | momentum | nesterov | rmsprop | adam | adamw
    weight_decay: float = 0.0
    schedule: str = "none"              # none | onecycle | cosine | step | plateau
    label_smoothing: float = 0.0
    grad_clip: float | None = None      # max global gradient norm
    loss: str = "auto"                  # ce | bce | dice | bce_dice | focal | tversky
    augment: bool = True                # training split only; never validation
    augment_options: dict[str, Any] = field(default_factory=dict)
    image_size: int | None = None       # segmentation working size (square); None = task default
    early_stopping: int | None = None   # patience in epochs on the validation metric
    seed: int = 0
    device: str = "auto"                # auto | cpu | cuda | mps
    amp: bool = True                    # autocast on CUDA
    channels_last: bool = True          # NHWC convolutions (CUDA and CPU)
    compile: bool = False               # torch.compile
    workers: int = 0                    # DataLoader workers (spawned, never forked);
    #                                     NumPy engine: data-parallel helper processes
    resume: str | None = None           # run directory to continue
    init_from: str | None = None        # start from another run's weights (fine-tuning)
    demo_size: int | None = None        # number of demo items to generate (None = default)
    limit: int | None = None            # use at most this many training items (quick runs)
    mask_overrides: str | None = None   # folder of user-corrected masks; they win over the dataset's
    changed_pixel_weight: float = 1.0   # loss weight of pixels the user changed from the prediction

    def __post_init__(self) -> None:
        spec = task_spec(self.task)
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; choose one of {', '.join(ENGINES)}")
        if self.engine not in spec.engines:
            able = [t.title for t in TASKS.values() if self.engine in t.engines]
            raise ValueError(f"the {self.engine} engine trains {', '.join(able)} only; use "
                             f"--engine {' or '.join(spec.engines)}")
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("epochs and batch size must be >= 1 and the learning rate > 0")

    def model_for(self, kind: str | None = None) -> str:
        """``model``, else the task's default for the data's ``kind`` (core.tasks)."""
        return self.model or task_spec(self.task).default_model(self.engine, kind)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
