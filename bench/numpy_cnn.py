"""Benchmark: the NumPy CNN engine against its two references, in one run.

    .venv/bin/python bench/numpy_cnn.py [--threads N] [--batch 64] [--quick]

1. The naive per-pixel-loop textbook CNN (8 filters 3x3, 2x2 pool, dense
   softmax, one image at a time; the interview's code with its two bugs fixed:
   the dense layer takes 8*13*13 = 1352 inputs and max-pool backward routes to
   the arg-max) against the vectorised engine on the same net: images/s for
   forward + backward + SGD update. Goal: >= 100x.
2. lenet_numpy against the identical torch model (``to_torch``) on the CPU,
   same batch size, same thread count: training images/s (forward, loss,
   backward, Adam step). Goal: NumPy within 3x of torch's time.
3. GFLOP/s achieved by the engine's conv layers (forward + both backward
   products) next to the machine's float32 matmul GFLOP/s.
4. The MNIST recipe's net (``lenet_fast_numpy``: pool before BatchNorm and ReLU)
   against ``lenet_numpy``: training images/s, medians of interleaved repeats.
5. The recipe's net trained by two processes (``DataParallel``, one helper; each
   process one BLAS thread) against one process with ``--threads`` BLAS threads;
   and the ceiling: two independent single-threaded processes with half a batch
   each, side by side. Each case runs in fresh processes for 4 s, medians of 3.
6. The NumPy trainer's training phase (``train_numpy`` on demo digits: shuffling,
   shifts, events, NaN checks) against the bare steps it is made of (shifts,
   forward, backward, Adam) on the same batches, in one process and in two.
7. Evaluation (forward only) of the recipe's net in batches of 32, the trainer's
   ``EVAL_BATCH``, against batches of 500, the value before.

``--threads`` (default: the CPUs this process may use) sets OpenBLAS's and
torch's thread counts; it must be parsed before NumPy is imported.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ARGS = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ARGS.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
ARGS.add_argument("--batch", type=int, default=64)
ARGS.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
OPTIONS = ARGS.parse_args()
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(OPTIONS.threads)

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.export.measure import cpu_name  # noqa: E402
from core.numpy_cnn.losses import softmax_cross_entropy  # noqa: E402
from core.numpy_cnn.model import build_model  # noqa: E402
from core.numpy_cnn.optim import SGD, build_optimizer  # noqa: E402
from core.recipes import recipe  # noqa: E402

RECIPE_NET = recipe("mnist", "numpy", "cpu").get("model", "lenet_numpy")   # the MNIST recipe's net


class NaiveTextbookCNN:
    """The classic loop-per-pixel NumPy CNN, one image at a time (the reference to beat)."""

    def __init__(self, rng: np.random.Generator, num_filters: int = 8, filter_size: int = 3):
        self.num_filters, self.filter_size = num_filters, filter_size
        self.filters = rng.standard_normal((num_filters, filter_size, filter_size)) * 0.1
        self.fc_w = rng.standard_normal((num_filters * 13 * 13, 10)) * 0.1   # 1352 inputs (fixed)
        self.fc_b = np.zeros(10)

    def conv2d(self, image):
        out_size = image.shape[0] - self.filter_size + 1
        output = np.zeros((self.num_filters, out_size, out_size))
        for f in range(self.num_filters):
            for i in range(out_size):
                for j in range(out_size):
                    window = image[i:i + self.filter_size, j:j + self.filter_size]
                    output[f, i, j] = np.sum(window * self.filters[f])
        return output

    def max_pool(self, x, size=2):
        out_size = x.shape[1] // size
        pooled = np.zeros((self.num_filters, out_size, out_size))
        argmax = np.zeros((self.num_filters, out_size, out_size), dtype=int)
        for f in range(self.num_filters):
            for i in range(out_size):
                for j in range(out_size):
                    window = x[f, i * size:(i + 1) * size, j * size:(j + 1) * size]
                    argmax[f, i, j] = np.argmax(window)
                    pooled[f, i, j] = window.flat[argmax[f, i, j]]
        return pooled, argmax

    def forward(self, image):
        conv_out = self.conv2d(image)
        relu_out = np.maximum(0, conv_out)
        pooled, argmax = self.max_pool(relu_out)
        flat = pooled.reshape(-1)
        logits = flat @ self.fc_w + self.fc_b
        exp = np.exp(logits - logits.max())
        return exp / exp.sum(), (conv_out, argmax, flat)

    def gradients(self, image, label):
        pred, (conv_out, argmax, flat) = self.forward(image)
        grad_fc = pred.copy()
        grad_fc[label] -= 1
        d_fc_w, d_fc_b = np.outer(flat, grad_fc), grad_fc
        d_pooled = (self.fc_w @ grad_fc).reshape(argmax.shape)
        d_relu = np.zeros_like(conv_out)
        for f in range(self.num_filters):           # fixed: route to the arg-max only
            for i in range(argmax.shape[1]):
                for j in range(argmax.shape[2]):
                    a, b = divmod(argmax[f, i, j], 2)
                    d_relu[f, 2 * i + a, 2 * j + b] = d_pooled[f, i, j]
        d_conv = d_relu * (conv_out > 0)
        d_filters = np.zeros_like(self.filters)
        for f in range(self.num_filters):
            for i in range(self.filter_size):
                for j in range(self.filter_size):
                    d_filters[f, i, j] = np.sum(image[i:i + d_conv.shape[1], j:j + d_conv.shape[2]] * d_conv[f])
        return d_filters, d_fc_w, d_fc_b

    def train_step(self, image, label, lr=0.01):
        d_filters, d_fc_w, d_fc_b = self.gradients(image, label)
        self.filters -= lr * d_filters
        self.fc_w -= lr * d_fc_w
        self.fc_b -= lr * d_fc_b


def engine_twin_of(naive: NaiveTextbookCNN, dtype=np.float32):
    model = build_model("textbook_numpy", dtype=dtype)
    model.layer("conv1").params["weight"][...] = naive.filters[:, None]
    model.layer("fc").params["weight"][...] = naive.fc_w.T
    model.layer("fc").params["bias"][...] = naive.fc_b
    return model


def check_same_gradients(rng) -> float:
    """The two implementations must agree before their speeds mean anything."""
    naive = NaiveTextbookCNN(rng)
    model = engine_twin_of(naive, np.float64)
    images, labels = rng.random((2, 28, 28)), np.array([3, 7])
    _, dlogits = softmax_cross_entropy(model.forward(images[:, None], training=True), labels)
    model.backward(dlogits * len(labels))   # engine: mean loss; textbook: summed per image
    naive_sum = [sum(parts) for parts in zip(*(naive.gradients(i, l) for i, l in zip(images, labels)))]
    worst = max(np.abs(model.layer("conv1").grads["weight"][:, 0] - naive_sum[0]).max(),
                np.abs(model.layer("fc").grads["weight"].T - naive_sum[1]).max())
    assert worst < 1e-9, f"naive and vectorised gradients differ by {worst}"
    return worst


def best_rate(step, items: int, repeats: int, warmup: int = 2) -> float:
    """Items per second of the fastest of ``repeats`` calls (robust to a busy machine)."""
    for _ in range(warmup):
        step()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return items / best


def bench_naive(rng, batch: int, repeats: int) -> tuple[float, float]:
    naive = NaiveTextbookCNN(rng)
    model = engine_twin_of(naive)
    images = rng.random((batch, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, batch)
    count = 8 if OPTIONS.quick else 24

    def naive_steps():
        for index in range(count):
            naive.train_step(images[index].astype(np.float64), labels[index])

    sgd = SGD([param for _, param, _ in model.named_params()], lr=0.01)

    def engine_step():
        _, dlogits = softmax_cross_entropy(model.forward(images[:, None], training=True), labels)
        model.backward(dlogits, input_grad=False)
        sgd.step([grad for _, _, grad in model.named_params()])

    return best_rate(naive_steps, count, 1 if OPTIONS.quick else 2, warmup=0), \
        best_rate(engine_step, batch, repeats)


def lenet_batch(rng, batch: int):
    return rng.standard_normal((batch, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, batch)


def numpy_lenet_step(model, optimizer, images, labels):
    def step():
        _, dlogits = softmax_cross_entropy(model.forward(images, training=True), labels)
        model.backward(dlogits, input_grad=False)
        optimizer.step([grad for _, _, grad in model.named_params()])
    return step


def bench_lenet(rng, batch: int, repeats: int) -> tuple[float, float]:
    import torch

    from core.numpy_cnn.torch_twin import to_torch

    torch.set_num_threads(OPTIONS.threads)
    images, labels = lenet_batch(rng, batch)
    model = build_model("lenet_numpy", seed=0)
    twin = to_torch(model).train()
    optimizer = build_optimizer("adam", [param for _, param, _ in model.named_params()], 1e-3)
    torch_optimizer = torch.optim.Adam(twin.parameters(), 1e-3)
    x, y = torch.from_numpy(images), torch.from_numpy(labels)

    def torch_step():
        torch_optimizer.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(twin(x), y).backward()
        torch_optimizer.step()

    return (best_rate(numpy_lenet_step(model, optimizer, images, labels), batch, repeats),
            best_rate(torch_step, batch, repeats))


def conv_flops(layer, batch: int, in_hw: tuple[int, int], products: int) -> float:
    """FLOPs of ``products`` GEMMs of the conv's size: forward, weight gradient and
    (except for the first layer, whose input gradient is skipped) input gradient."""
    ho, wo = layer.output_hw(*in_hw)
    macs = batch * layer.out_channels * ho * wo * layer.in_channels * layer.kernel_size ** 2
    return products * 2.0 * macs


def bench_conv_gflops(rng, batch: int, repeats: int) -> tuple[float, float]:
    """(GFLOP/s of the conv layers inside a lenet training step, their share of the step time)."""
    model = build_model("lenet_numpy", seed=0)
    images, labels = lenet_batch(rng, batch)
    optimizer = build_optimizer("adam", [param for _, param, _ in model.named_params()], 1e-3)
    convs = [(model.layer("conv1"), (28, 28), 2), (model.layer("conv2"), (14, 14), 3)]
    spent = [0.0]
    for layer, _, _ in convs:
        for method in ("forward", "backward"):
            setattr(layer, method, _timed(getattr(layer, method), spent))
    step = numpy_lenet_step(model, optimizer, images, labels)
    step()
    best_conv, best_share = float("inf"), 0.0
    for _ in range(repeats):
        spent[0] = 0.0
        start = time.perf_counter()
        step()
        if spent[0] < best_conv:
            best_conv, best_share = spent[0], spent[0] / (time.perf_counter() - start)
    flops = sum(conv_flops(layer, batch, hw, products) for layer, hw, products in convs)
    return flops / best_conv / 1e9, best_share


def _timed(function, spent):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        spent[0] += time.perf_counter() - start
        return result
    return wrapper


def median_rates(steps: dict[str, object], items: int, repeats: int) -> dict[str, float]:
    """Items per second of each step: the median of ``repeats`` rounds, the steps interleaved
    so that a busy moment slows all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for step in steps.values():
        step()
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: items / float(np.median(spent)) for name, spent in times.items()}


def bench_recipe_net(rng, batch: int, repeats: int) -> dict[str, float]:
    """Training images/s of lenet_numpy and of the recipe's net (module docstring, item 4)."""
    images, labels = lenet_batch(rng, batch)
    steps = {}
    for architecture in ("lenet_numpy", RECIPE_NET):
        model = build_model(architecture, seed=0)
        optimizer = build_optimizer("adam", [param for _, param, _ in model.named_params()], 1e-3)
        steps[architecture] = numpy_lenet_step(model, optimizer, images, labels)
    return median_rates(steps, batch, repeats * 2)


STEPS_CODE = """
import os, sys, time
mode, threads, root, net, batch, seconds = sys.argv[1:7]
os.environ["OPENBLAS_NUM_THREADS"] = threads
import numpy as np
sys.path.insert(0, root)
from core.numpy_cnn.losses import softmax_cross_entropy
from core.numpy_cnn.model import build_model
from core.numpy_cnn.optim import build_optimizer
from core.numpy_cnn.parallel import DataParallel

def main():
    n = int(batch)
    model = build_model(net)
    parallel = DataParallel(model, 1, n, 0) if mode == "pair" else None
    optimizer = build_optimizer("adam", [p for _, p, _ in model.named_params()], 1e-3)
    x = np.random.default_rng(0).standard_normal((n, 1, 28, 28)).astype(np.float32)
    y = np.arange(n) % 10
    def step():
        if parallel is not None:
            parallel.step(x, y)
        else:
            model.backward(softmax_cross_entropy(model.forward(x, True), y)[1], input_grad=False)
        optimizer.step([g for _, _, g in model.named_params()])
    for _ in range(5):
        step()
    start, done = time.perf_counter(), 0
    while time.perf_counter() - start < float(seconds):
        step()
        done += n
    print(done / (time.perf_counter() - start))
    if parallel is not None:
        parallel.close()

if __name__ == "__main__":
    main()
"""


def _steps_rate(processes: list[tuple[str, int, int]], seconds: float) -> float:
    """Images/s of fresh processes (mode, BLAS threads, batch) started together, summed."""
    import subprocess

    root = str(Path(__file__).resolve().parents[1])
    running = [subprocess.Popen([sys.executable, "-c", STEPS_CODE, mode, str(threads), root, RECIPE_NET,
                                 str(batch), str(seconds)], stdout=subprocess.PIPE, text=True)
               for mode, threads, batch in processes]
    return sum(float(process.communicate()[0]) for process in running)


def bench_data_parallel(batch: int, rounds: int = 3, seconds: float = 4.0) -> dict[str, float]:
    """Training images/s (item 5), each in fresh processes so that no BLAS thread left
    spinning by another measurement steals a core; medians of ``rounds``."""
    cases = {"one process": [("one", OPTIONS.threads, batch)],
             "two processes": [("pair", 1, batch)],
             "two independent": [("one", 1, batch // 2)] * 2}
    rates: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, processes in cases.items():
            rates[name].append(_steps_rate(processes, seconds))
    return {name: float(np.median(values)) for name, values in rates.items()}


def bench_trainer_overhead(rng, batch: int, workers: int) -> tuple[float, float]:
    """(trainer images/s in its second epoch, bare steps images/s) for item 6."""
    import json
    import tempfile

    from core.numpy_cnn.data import random_shift
    from core.numpy_cnn.parallel import DataParallel
    from core.numpy_cnn.trainer import MAX_SHIFT, train_numpy
    from core.runs.config import TrainConfig

    items = 4000
    with tempfile.TemporaryDirectory() as folder:
        train_numpy(TrainConfig(task="mnist", engine="numpy", model=RECIPE_NET, epochs=2, batch_size=batch,
                                optimizer="adam", lr=2e-3, label_smoothing=0.1, augment=True,
                                demo_size=items * 5 // 4 + 500, limit=items, workers=workers,
                                out=str(Path(folder) / "run")))
        epochs = [json.loads(line) for line in (Path(folder) / "run" / "metrics.jsonl").open()]
    trainer_rate = epochs[-1]["samples_per_s"]
    images = rng.standard_normal((items, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, items)
    fill = np.zeros(1, np.float32)
    model = build_model(RECIPE_NET, seed=0)
    parallel = DataParallel(model, workers, batch, 0) if workers else None
    try:
        optimizer = build_optimizer("adam", [param for _, param, _ in model.named_params()], 2e-3)

        def step(first: int) -> None:
            x = random_shift(images[first:first + batch], rng, MAX_SHIFT, fill)
            y = labels[first:first + batch]
            if parallel is not None:
                parallel.step(x, y, 0.1)
            else:
                _, dlogits = softmax_cross_entropy(model.forward(x, training=True), y, 0.1)
                model.backward(dlogits, input_grad=False)
            optimizer.step([grad for _, _, grad in model.named_params()])

        for _ in range(5):   # warm-up, as the trainer's figure comes from its second epoch
            step(0)
        start = time.perf_counter()
        for first in range(0, items - batch + 1, batch):
            step(first)
        bare_rate = (items // batch) * batch / (time.perf_counter() - start)
    finally:
        if parallel is not None:
            parallel.close()
    return trainer_rate, bare_rate


def bench_eval_batch(rng, repeats: int) -> dict[int, float]:
    """Images/s of the recipe net's evaluation forward in batches of 32 and of 500 (item 7)."""
    from core.numpy_cnn.trainer import EVAL_BATCH

    model = build_model(RECIPE_NET, seed=0)
    images = rng.standard_normal((1000, 1, 28, 28)).astype(np.float32)

    def evaluation(size: int):
        def run():
            for first in range(0, len(images), size):
                model.forward(images[first:first + size], training=False)
        return run
    return median_rates({size: evaluation(size) for size in (EVAL_BATCH, 500)}, len(images),
                        max(3, repeats // 4))


def matmul_gflops(rng, m: int, k: int, n: int, repeats: int) -> float:
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    return best_rate(lambda: a @ b, 1, repeats) * 2.0 * m * k * n / 1e9


def main() -> int:
    import torch

    rng = np.random.default_rng(0)
    batch, repeats = OPTIONS.batch, 5 if OPTIONS.quick else 20
    worst = check_same_gradients(rng)
    naive_rate, engine_rate = bench_naive(rng, batch, repeats)
    numpy_rate, torch_rate = bench_lenet(rng, batch, repeats)
    conv_rate, conv_share = bench_conv_gflops(rng, batch, repeats)
    nets = bench_recipe_net(rng, batch, repeats)
    pair = bench_data_parallel(batch, rounds=1 if OPTIONS.quick else 3)
    overheads = [bench_trainer_overhead(rng, batch, workers) for workers in (0, 1)]
    evaluation = bench_eval_batch(rng, repeats)
    small_eval = min(evaluation)
    square = matmul_gflops(rng, 1024, 1024, 1024, 3 if OPTIONS.quick else 10)
    conv2_gemm = matmul_gflops(rng, 32, 144, batch * 196, repeats)
    print(f"# {cpu_name()}; threads={OPTIONS.threads}; batch={batch}; numpy {np.__version__}; "
          f"torch {torch.__version__}; naive vs engine max |grad diff| {worst:.1e}")
    rows = [
        ("1 textbook net fwd+bwd+SGD, images/s", f"{engine_rate:,.0f}", f"naive loops {naive_rate:,.1f}",
         f"{engine_rate / naive_rate:,.0f}x faster (goal >= 100x)"),
        ("2 lenet train step, images/s", f"{numpy_rate:,.0f}", f"torch CPU {torch_rate:,.0f}",
         f"numpy takes {torch_rate / numpy_rate:.2f}x torch's time (goal <= 3x)"),
        ("3 conv layers in the lenet step, GFLOP/s", f"{conv_rate:.1f}",
         f"matmul 1024^2 {square:.1f}; conv2-shaped GEMM {conv2_gemm:.1f}",
         f"{conv_rate / square:.0%} of square matmul; convs are {conv_share:.0%} of the step"),
        (f"4 {RECIPE_NET} train step, images/s", f"{nets[RECIPE_NET]:,.0f}",
         f"lenet_numpy {nets['lenet_numpy']:,.0f}", f"{nets[RECIPE_NET] / nets['lenet_numpy']:.2f}x faster"),
        (f"5 {RECIPE_NET}, 2 processes, images/s", f"{pair['two processes']:,.0f}",
         f"1 process {pair['one process']:,.0f}; 2 independent {pair['two independent']:,.0f}",
         f"{pair['two processes'] / pair['one process']:.2f}x (independent: "
         f"{pair['two independent'] / pair['one process']:.2f}x)"),
        *((f"6 trainer's training phase, {workers + 1} process{'es' if workers else ''}, images/s",
           f"{trainer:,.0f}", f"bare steps {bare:,.0f}", f"{trainer / bare:.2f} of the bare steps")
          for workers, (trainer, bare) in enumerate(overheads)),
        (f"7 {RECIPE_NET} evaluation, batches of {small_eval}, images/s", f"{evaluation[small_eval]:,.0f}",
         f"batches of 500 {evaluation[500]:,.0f}", f"{evaluation[small_eval] / evaluation[500]:.2f}x the speed"),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("measure", "numpy engine", "reference", "ratio")
    widths = [max(w, len(h)) for w, h in zip(widths, header)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
