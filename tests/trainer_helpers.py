"""Small, fast training configurations shared by the trainer, inference and CLI tests."""

from __future__ import annotations

import json

import pytest

from core.runs.config import TrainConfig


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Tiny models on a shared 2-core machine: one thread is faster and steadier."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def mnist_config(out, **overrides) -> TrainConfig:
    options = dict(task="mnist", epochs=2, batch_size=32, demo_size=300, lr=2e-3, out=str(out))
    return TrainConfig(**{**options, **overrides})


def cars_config(out, **overrides) -> TrainConfig:
    options = dict(task="carvana", epochs=2, batch_size=8, demo_size=24, lr=3e-3, image_size=32,
                   model_options={"depth": 2, "base_width": 4}, out=str(out))
    return TrainConfig(**{**options, **overrides})


def read_metrics(run_dir) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
