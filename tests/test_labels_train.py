"""Import then train: a run learns on each label format, and its predictions leave as Carvana CSV."""

from __future__ import annotations

import csv
import json

import cv2
import numpy as np
import pytest

from core.cli import run_cli
from core.data import open_dataset
from core.data.rle import rle_decode
from core.labels import export_labels
from core.runs.config import TrainConfig
from core.training.api import train
from tests.trainer_helpers import one_torch_thread, read_metrics  # noqa: F401

SIZE = 32


def shapes_dataset(root, classes: list[str], count: int = 8, seed: int = 0):
    """Bright discs (class 1) and grey squares (class 2, if named) on dark noise."""
    rng = np.random.default_rng(seed)
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    (root / "classes.txt").write_text("\n".join(classes) + "\n")
    for index in range(count):
        mask = np.zeros((SIZE, SIZE), np.uint8)
        x, y = (int(v) for v in rng.integers(8, SIZE - 8, size=2))
        cv2.circle(mask, (x, y), 6, 1, -1)
        if len(classes) > 2:
            x, y = (int(v) for v in rng.integers(0, SIZE - 8, size=2))
            mask[y:y + 7, x:x + 7] = 2
        image = rng.integers(0, 40, (SIZE, SIZE, 3), dtype=np.uint8)
        image[mask == 1] = 220
        image[mask == 2] = 130
        cv2.imwrite(str(root / "images" / f"s{index}.png"), image)
        cv2.imwrite(str(root / "masks" / f"s{index}.png"), mask)
    return open_dataset(root)


def tiny_run(data, out, epochs: int = 3, **options) -> dict:
    config = TrainConfig(task="folder", data=str(data), out=str(out), epochs=epochs, batch_size=4, lr=1e-2,
                         image_size=SIZE, model_options={"depth": 2, "base_width": 4}, augment=False,
                         device="cpu", seed=0, **options)
    return train(config)


@pytest.mark.parametrize("label_format", ["coco", "voc", "yolo-seg", "labelme"])
def test_a_run_learns_on_each_imported_format(tmp_path, label_format):
    classes = ["background", "disc", "square"]
    export_labels(shapes_dataset(tmp_path / "source", classes), label_format, tmp_path / "data")
    summary = tiny_run(tmp_path / "data", tmp_path / "run")
    assert summary["status"] == "finished"
    assert json.loads((tmp_path / "run" / "config.json").read_text())["class_names"] == classes
    losses = [record["train_loss"] for record in read_metrics(tmp_path / "run")]
    assert losses[-1] < 0.8 * losses[0], losses


def test_carvana_csv_trains_and_predictions_become_a_submission(tmp_path, capsys):
    export_labels(shapes_dataset(tmp_path / "source", ["background", "disc"]), "carvana-csv", tmp_path / "data")
    summary = tiny_run(tmp_path / "data", tmp_path / "run", epochs=5, loss="bce")
    assert summary["status"] == "finished"
    losses = [record["train_loss"] for record in read_metrics(tmp_path / "run")]
    assert losses[-1] < 0.8 * losses[0], losses

    images = sorted((tmp_path / "data" / "train").glob("*.png"))[:3]
    code = run_cli(["predict", "--run", str(tmp_path / "run"), *map(str, images), "--format", "carvana-csv",
                    "--out", str(tmp_path / "submit")])
    assert code == 0, capsys.readouterr().err
    with (tmp_path / "submit" / "submission.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["img"] for row in rows] == [path.name for path in images]
    for row in rows:
        assert rle_decode(row["rle_mask"], (SIZE, SIZE)).shape == (SIZE, SIZE)
