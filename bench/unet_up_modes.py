"""Benchmark: U-Net up-sampling modes under int8 quantization (why "transpose" is the default).

    .venv/bin/python bench/unet_up_modes.py [--steps 60] [--threads 1]

For each ``up_mode`` ("transpose", "bilinear", "nearest") in the same run:
briefly trains the default CPU U-Net (base width 16) on the demo Carvana data,
exports float32 ONNX as core/export does (TorchScript exporter, opset 17),
quantizes it to int8 (static, QDQ, per-channel weights, calibrated on training
images), and reports on held-out images: Dice of float32 and int8 against the
ground truth, Dice between the int8 and float32 masks, and ONNX Runtime latency
per image, as a ratio against "transpose".
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.data import demo_dataset  # noqa: E402
from core.models import create_model  # noqa: E402
from core.training.losses import build_loss  # noqa: E402
from core.training.metrics import dice  # noqa: E402

UP_MODES = ("transpose", "bilinear", "nearest")


def arrays(dataset, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3, H, W) float32 in 0..1 and (N, H, W) 0/1 masks of one split."""
    items = [dataset[i] for i in dataset.splits[split]]
    images = np.stack([item.image for item in items]).transpose(0, 3, 1, 2).astype(np.float32) / 255
    return images, np.stack([item.target for item in items]).astype(np.uint8)


def train(up_mode: str, images: np.ndarray, masks: np.ndarray, steps: int) -> torch.nn.Module:
    torch.manual_seed(0)
    model = create_model("unet", up_mode=up_mode).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = build_loss("bce_dice", "segmentation")
    generator = np.random.default_rng(0)
    for _ in range(steps):
        batch = generator.choice(len(images), size=8, replace=False)
        loss = loss_fn(model(torch.from_numpy(images[batch])), torch.from_numpy(masks[batch]).float())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()


def export_pair(model, example: np.ndarray, calibration: np.ndarray, folder: Path, name: str,
                threads: int):
    """Float32 and int8 ONNX Runtime sessions of ``model``."""
    import onnxruntime
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.batches = iter({"image": image[None]} for image in calibration)

        def get_next(self):
            return next(self.batches, None)

    float_path, int8_path = folder / f"{name}.onnx", folder / f"{name}_int8.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.from_numpy(example[None]),), str(float_path), dynamo=False,
                          opset_version=17, input_names=["image"], output_names=["logits"])
    quantize_static(str(float_path), str(int8_path), Reader(), quant_format=QuantFormat.QDQ,
                    per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    return [onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            for path in (float_path, int8_path)]


def predicted_masks(session, images: np.ndarray) -> np.ndarray:
    """(N, H, W) boolean masks: logit >= 0."""
    return np.stack([session.run(None, {"image": image[None]})[0][0, 0] >= 0 for image in images])


def fastest_latencies(sessions: list, image: np.ndarray, rounds: int = 20) -> list[float]:
    """Per-session best time in ms; sessions take turns so that load on the machine hits all alike."""
    fastest = [float("inf")] * len(sessions)
    for _ in range(rounds):
        for index, session in enumerate(sessions):
            start = time.perf_counter()
            session.run(None, {"image": image[None]})
            fastest[index] = min(fastest[index], time.perf_counter() - start)
    return [seconds * 1000 for seconds in fastest]


def mean_dice(predicted: np.ndarray, true: np.ndarray) -> float:
    return float(np.mean([dice(p, t) for p, t in zip(predicted, true)]))


def main(steps: int, threads: int) -> None:
    dataset = demo_dataset("carvana")
    train_images, train_masks = arrays(dataset, "train")
    test_images, test_masks = arrays(dataset, "val")
    rows, sessions = [], []
    with tempfile.TemporaryDirectory() as folder:
        for up_mode in UP_MODES:
            model = train(up_mode, train_images, train_masks, steps)
            float_session, int8_session = export_pair(model, train_images[0], train_images[:16],
                                                      Path(folder), up_mode, threads)
            float_masks = predicted_masks(float_session, test_images)
            int8_masks = predicted_masks(int8_session, test_images)
            rows.append([up_mode, mean_dice(float_masks, test_masks), mean_dice(int8_masks, test_masks),
                         mean_dice(int8_masks, float_masks)])
            sessions += [float_session, int8_session]
        latencies = fastest_latencies(sessions, test_images[0])
    for index, row in enumerate(rows):
        row += latencies[2 * index:2 * index + 2]
    reference_float_ms, reference_int8_ms = rows[0][4], rows[0][5]
    print(f"U-Net base_width 16, {test_images.shape[2]}x{test_images.shape[3]}, {steps} training steps, "
          f"{len(test_images)} held-out images, {threads} thread(s)")
    print(f"{'up_mode':10s} {'dice f32':>9s} {'dice int8':>9s} {'int8~f32':>9s} "
          f"{'f32 ms':>7s} {'int8 ms':>7s} {'f32 ratio':>9s} {'int8 ratio':>10s}")
    for up_mode, dice_float, dice_int8, agreement, float_ms, int8_ms in rows:
        print(f"{up_mode:10s} {dice_float:9.4f} {dice_int8:9.4f} {agreement:9.4f} {float_ms:7.1f} "
              f"{int8_ms:7.1f} {float_ms / reference_float_ms:9.2f} {int8_ms / reference_int8_ms:10.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="training steps per model (batch 8)")
    parser.add_argument("--threads", type=int, default=1, help="ONNX Runtime intra-op threads")
    args = parser.parse_args()
    main(args.steps, args.threads)
