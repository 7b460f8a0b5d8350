"""DistributedDataParallel under torchrun, and a do-nothing twin for one process.

torchrun sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT; when
WORLD_SIZE > 1 we join the process group (NCCL on CUDA, Gloo on CPU), shard
the training split with a DistributedSampler and average gradients with DDP.
Only rank 0 writes the run directory and reports progress.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class Distributed:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @classmethod
    def from_environment(cls, device_name: str = "auto") -> "Distributed":
        """Join torchrun's process group when WORLD_SIZE > 1; else a single process."""
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
        if world_size <= 1:
            return cls()
        import torch
        import torch.distributed as dist

        rank = int(os.environ["RANK"])
        local_rank = int(os.environ.get("LOCAL_RANK", rank))
        use_nccl = device_name != "cpu" and torch.cuda.is_available()
        if not dist.is_initialized():
            if use_nccl:
                torch.cuda.set_device(local_rank)
            dist.init_process_group(backend="nccl" if use_nccl else "gloo")
        return cls(rank=rank, world_size=world_size, local_rank=local_rank)

    def wrap(self, model, device):
        """DDP-wrap ``model`` (and convert BatchNorm to SyncBatchNorm on CUDA)."""
        if not self.enabled:
            return model
        import torch

        if device.type == "cuda":
            model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
            return torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index])
        return torch.nn.parallel.DistributedDataParallel(model)

    def sampler(self, dataset, *, shuffle: bool, seed: int):
        """The training sampler: each rank sees its own 1/world_size of every epoch."""
        if not self.enabled:
            return None
        from torch.utils.data.distributed import DistributedSampler

        return DistributedSampler(dataset, num_replicas=self.world_size, rank=self.rank,
                                  shuffle=shuffle, seed=seed, drop_last=False)

    def mean(self, value: float, device) -> float:
        """Average a float over ranks (losses for reporting and NaN checks)."""
        if not self.enabled:
            return value
        import torch
        import torch.distributed as dist

        tensor = torch.tensor([value], dtype=torch.float64, device=device)
        dist.all_reduce(tensor)
        return float(tensor.item()) / self.world_size

    def any(self, flag: bool, device) -> bool:
        """True on every rank when it is True on one (a cancel seen by rank 0 stops all)."""
        if not self.enabled:
            return flag
        import torch
        import torch.distributed as dist

        tensor = torch.tensor([1.0 if flag else 0.0], device=device)
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
        return bool(tensor.item() > 0)

    def close(self) -> None:
        if self.enabled:
            import torch.distributed as dist

            if dist.is_initialized():
                dist.destroy_process_group()
