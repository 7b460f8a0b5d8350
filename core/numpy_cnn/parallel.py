"""Data parallelism for the NumPy engine: helper processes each take a share of every batch.

NumPy runs its element-wise passes on one core and only the GEMMs use BLAS
threads, so a second core adds little to one process (a lenet step: 2,003
images/s with two BLAS threads, 1,850 with one), while two independent
single-threaded processes with half a batch each ran 1.5-1.8x one process's
images/s together (the lock-step pair here: 1.24-1.36x, a trainer epoch 1.1-1.3x;
see docs/numpy_engine.md).
This is torch's DDP on one machine:

- the parameters live in shared memory, so every replica reads the weights the
  optimiser (in the main process) has just written, with no copy;
- the main process writes the batch to shared memory, computes the first shard
  itself while each helper computes its own, then averages the gradients weighted
  by shard size and steps the optimiser as a single process would. The shards are
  equal (fixed sizes, so a run is reproducible): a main shard 0.8 the size of the
  others, to make room for that work, left the main process waiting for the helper
  instead (equal shards: 5-7% faster epochs, docs/numpy_engine.md);
- BatchNorm normalises each shard with its own statistics and the main process's
  running averages are the ones kept (DDP without SyncBatchNorm);
- each helper's dropout generator is reseeded from (seed, epoch, rank) at every
  epoch, so a resumed run continues exactly as it would have.

Helpers are spawned (never forked) with one BLAS thread; the main process limits
its own BLAS to one thread while they run.
"""

from __future__ import annotations

import os
from multiprocessing import get_context
from multiprocessing.shared_memory import SharedMemory
from typing import Any

import numpy as np

from core.errors import TrainingError
from core.numpy_cnn.losses import softmax_cross_entropy
from core.numpy_cnn.model import Sequential

MIN_SHARD = 2          # BatchNorm needs two items; smaller batches stay in the main process


class SharedArrays:
    """Named arrays in one shared-memory block: ``layout`` is [(name, shape, dtype str)]."""

    def __init__(self, layout: list[tuple[str, tuple[int, ...], str]], name: str | None = None):
        self.layout = layout
        offsets, total = [], 0
        for _, shape, dtype in layout:
            total = -(-total // 64) * 64                              # 64-byte aligned
            offsets.append(total)
            total += int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        self.memory = SharedMemory(name=name, create=name is None, size=max(total, 1))
        self.arrays = {key: np.ndarray(shape, dtype, self.memory.buf, offset)
                       for (key, shape, dtype), offset in zip(layout, offsets)}

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key]

    def close(self) -> None:
        """Unmap the block (a helper's copy); any view of it is invalid afterwards."""
        self.arrays = {}
        self.memory.close()

    def unlink(self) -> None:
        """Remove the block's name; the mapping lives on while this object does, so views
        still held elsewhere (an optimiser's parameter list) stay readable."""
        if self.arrays:
            self.memory.unlink()
            self.arrays = {}


def _bind_params(model: Sequential, shared: SharedArrays) -> None:
    """Make every parameter of ``model`` a view of its shared array (values kept from shared)."""
    for layer in model.layers:
        for key in layer.params:
            layer.params[key] = shared[f"param/{layer.name}.{key}"]


def _reseed_dropout(model: Sequential, seed: int, epoch: int, rank: int) -> None:
    for layer in model.layers:
        if hasattr(layer, "rng"):
            layer.rng = np.random.default_rng([seed, epoch, rank])


def _shard_gradients(model: Sequential, images: np.ndarray, labels: np.ndarray,
                     label_smoothing: float) -> float:
    """Forward and backward on one shard; its mean loss (gradients are left in the layers)."""
    logits = model.forward(images, training=True)
    loss, dlogits = softmax_cross_entropy(logits, labels, label_smoothing)
    model.backward(dlogits, input_grad=False)
    return float(loss)


def _serve(block: str, layout: list, spec: dict[str, Any], rank: int, seed: int, connection) -> None:
    """A helper process: answer step requests until told to stop (None)."""
    shared = SharedArrays(layout, name=block)
    try:
        model = Sequential.from_spec(spec)
        _bind_params(model, shared)
        grads = [shared[f"grad{rank}/{name}"] for name, _, _ in model.named_params()]
        while (request := connection.recv()) is not None:
            kind, *args = request
            try:
                if kind == "epoch":
                    _reseed_dropout(model, seed, args[0], rank)
                    connection.send(("ok", 0.0))
                    continue
                start, stop, smoothing, weight = args
                loss = _shard_gradients(model, shared["images"][start:stop],
                                        shared["labels"][start:stop], smoothing)
                for target, (_, _, grad) in zip(grads, model.named_params()):
                    np.multiply(grad, weight, out=target)       # its share of the batch mean
                connection.send(("ok", loss))
            except Exception as error:  # noqa: BLE001 — reported to the main process as one line
                connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        shared.close()


def shard_bounds(count: int, processes: int) -> list[int]:
    """Start of each shard and the end: equal shards (sizes differ by one at most) of at
    least MIN_SHARD items; fewer shards when the batch is small."""
    shards = max(1, min(processes, count // MIN_SHARD))
    return [int(value) for value in np.linspace(0, count, shards + 1).round()]


class DataParallel:
    """``helpers`` extra processes share every training batch with the main process.

    Build it before the optimiser: it moves the model's parameters into shared
    memory (the optimiser must hold those arrays). Use as a context manager, or
    call ``close``; ``step`` replaces forward + loss + backward of a batch.
    """

    def __init__(self, model: Sequential, helpers: int, max_batch: int, seed: int):
        self.model, self.seed = model, int(seed)
        names = [(name, param) for name, param, _ in model.named_params()]
        layout = [(f"param/{name}", param.shape, param.dtype.str) for name, param in names]
        layout += [(f"grad{rank}/{name}", param.shape, param.dtype.str)
                   for rank in range(1, helpers + 1) for name, param in names]
        layout += [("images", (max_batch, *model.input_shape), model.dtype.str),
                   ("labels", (max_batch,), np.dtype(np.int64).str)]
        self.shared = SharedArrays(layout)
        for name, param in names:
            self.shared[f"param/{name}"][...] = param
        _bind_params(model, self.shared)
        self.helper_grads = [[self.shared[f"grad{rank}/{name}"] for name, _ in names]
                             for rank in range(1, helpers + 1)]
        self.connections, self.processes = [], []
        try:
            self._start(helpers, layout, model.spec())
        except BaseException:
            self.close()
            raise
        from threadpoolctl import threadpool_limits

        self.blas_limit = threadpool_limits(1, user_api="blas")   # undone by close()

    def _start(self, helpers: int, layout: list, spec: dict[str, Any]) -> None:
        context = get_context("spawn")
        saved = {key: os.environ.get(key) for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
        os.environ.update({key: "1" for key in saved})        # the helpers' BLAS: one thread each
        try:
            for rank in range(1, helpers + 1):
                ours, theirs = context.Pipe()
                process = context.Process(target=_serve, name=f"numpy-worker-{rank}", daemon=True,
                                          args=(self.shared.memory.name, layout, spec, rank,
                                                self.seed, theirs))
                process.start()
                theirs.close()
                self.connections.append(ours)
                self.processes.append(process)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    @property
    def processes_used(self) -> int:
        return len(self.processes) + 1

    def start_epoch(self, epoch: int) -> None:
        """Reseed the helpers' dropout for ``epoch`` (the main process keeps its own stream)."""
        for rank in range(1, len(self.connections) + 1):
            self._send(rank, ("epoch", int(epoch)))
        self._replies(len(self.connections))

    def step(self, images: np.ndarray, labels: np.ndarray, label_smoothing: float = 0.0) -> float:
        """Mean loss of the batch; the layers of the main model hold the batch's mean gradients."""
        count = len(labels)
        bounds = shard_bounds(count, self.processes_used)            # shard 0 is the main's
        shards = len(bounds) - 1
        if shards > 1:
            self.shared["images"][bounds[1]:count] = images[bounds[1]:]
            self.shared["labels"][bounds[1]:count] = labels[bounds[1]:]
            for rank, start, stop in zip(range(1, shards), bounds[1:-1], bounds[2:]):
                self._send(rank, ("step", start, stop, float(label_smoothing), (stop - start) / count))
        loss = _shard_gradients(self.model, images[:bounds[1]], labels[:bounds[1]], label_smoothing)
        if shards == 1:
            return loss
        losses = self._replies(shards - 1)
        own = bounds[1] / count
        for index, (_, _, grad) in enumerate(self.model.named_params()):
            grad *= own
            for helper in self.helper_grads[:shards - 1]:
                grad += helper[index]                                 # already weighted
        sizes = np.diff(bounds)[1:]
        return float(loss * own + sum(part * size / count for part, size in zip(losses, sizes)))

    def _send(self, rank: int, request: tuple) -> None:
        try:
            self.connections[rank - 1].send(request)
        except (OSError, ValueError):   # a dead helper's pipe is broken
            raise TrainingError(f"NumPy worker process {rank} exited unexpectedly") from None

    def _replies(self, count: int) -> list[float]:
        """One answer from each of the first ``count`` helpers; a helper's error or death
        becomes a TrainingError."""
        values, problems = [], []
        for rank, connection in enumerate(self.connections[:count], 1):
            try:
                status, value = connection.recv()
            except (EOFError, OSError):
                problems.append(f"NumPy worker process {rank} exited unexpectedly")
                continue
            if status == "ok":
                values.append(value)
            else:
                problems.append(f"NumPy worker process {rank}: {value}")
        if problems:
            raise TrainingError(problems[0])
        return values

    def close(self) -> None:
        """Stop the helpers and remove the shared block's name; the model gets private copies
        of its weights. The block is unmapped with this object, not before: an optimiser
        built on the shared parameters can still be read but no longer moves the model."""
        for connection in self.connections:
            try:
                connection.send(None)
            except (OSError, ValueError):
                pass
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        for connection in self.connections:
            connection.close()
        self.connections, self.processes = [], []
        if getattr(self, "blas_limit", None) is not None:
            self.blas_limit.restore_original_limits()
            self.blas_limit = None
        if self.shared.arrays:
            for layer in self.model.layers:   # private copies: the model no longer shares its weights
                for key in layer.params:
                    layer.params[key] = layer.params[key].copy()
            self.shared.unlink()

    def __enter__(self) -> "DataParallel":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
