"""``python main.py info``: one JSON object for good data, one error line for bad data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.data.writers import write_carvana, write_cifar10, write_mask_folder, write_mnist
from tests.test_data_errors import BAD_INPUTS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def run_info(capsys):
    """``main.py info ARGS`` in this process (an escaping exception would fail the test)."""
    from main import main

    def run(*args: str) -> subprocess.CompletedProcess:
        code = main(["info", *args])
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, captured.out, captured.err)
    return run


def test_info_as_a_real_process():
    result = subprocess.run([sys.executable, "main.py", "info", "--task", "carvana"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert (info["task"], info["format"], info["kind"]) == ("carvana", "demo", "segmentation")
    assert info["image_shape"] == [128, 192, 3] and info["class_names"] == ["background", "car"]
    assert sum(info["splits"].values()) == info["size"] == 96
    assert 0.05 < info["mask_coverage"] < 0.4
    bad = subprocess.run([sys.executable, "main.py", "info", "--data", "/no/such/folder"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr == "error: /no/such/folder: no such file or folder\n"


def test_info_on_demo_data(run_info):
    result = run_info("--task", "mnist")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert (info["task"], info["format"], info["kind"]) == ("mnist", "demo", "classification")
    assert info["image_shape"] == [28, 28] and info["class_counts"] == [300] * 10
    assert info["splits"] == {"train": 2400, "val": 300, "test": 300}
    assert "mask_coverage" not in info


def test_info_on_real_formats(run_info, tmp_path, rng):
    write_mnist(tmp_path / "mnist", (rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
                                     rng.integers(0, 10, 20)), gz=True)
    images = rng.integers(0, 256, (10, 32, 32, 3), dtype=np.uint8)
    write_cifar10(tmp_path / "cifar", [(images, [3] * 10)], test=(images[:4], [1] * 4))
    masks = [np.zeros((6, 8), np.uint8) for _ in range(4)]
    for mask in masks:
        mask[:3] = 1  # half the pixels
    write_carvana(tmp_path / "carvana", [np.zeros((6, 8, 3), np.uint8)] * 4, masks,
                  ["c1_01", "c1_02", "c2_01", "c3_01"], csv_file=True)
    expected = {
        "mnist": ("mnist", "mnist-idx", [28, 28], 20),
        "cifar": ("cifar10", "cifar10-python", [32, 32, 3], 14),
        "carvana": ("carvana", "carvana", [6, 8, 3], 4),
    }
    for folder, (task, data_format, shape, size) in expected.items():
        result = run_info("--data", str(tmp_path / folder))
        assert result.returncode == 0, result.stderr
        info = json.loads(result.stdout)
        assert (info["task"], info["format"], info["image_shape"], info["size"]) == (task, data_format, shape, size)
    cifar = json.loads(run_info("--data", str(tmp_path / "cifar")).stdout)
    assert cifar["class_counts"][3] == 10 and cifar["splits"]["test"] == 4
    assert json.loads(run_info("--data", str(tmp_path / "carvana")).stdout)["mask_coverage"] == 0.5


def test_info_on_partly_annotated_folder(run_info, tmp_path, rng):
    write_mask_folder(tmp_path, [np.zeros((4, 4), np.uint8)] * 3, [np.ones((4, 4), np.uint8)] * 3, "abc")
    (tmp_path / "masks" / "c.png").unlink()
    info = json.loads(run_info("--data", str(tmp_path)).stdout)
    assert (info["format"], info["labelled"], info["mask_coverage"]) == ("folder-masks", 2, 1.0)


@pytest.mark.parametrize("name", ["missing folder"] + sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line(run_info, tmp_path, rng, name):
    if name == "missing folder":
        culprit = tmp_path / "missing"
    else:
        culprit = BAD_INPUTS[name][0](tmp_path, rng)
    result = run_info("--data", str(tmp_path if name != "missing folder" else culprit))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(culprit) in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "pwned").exists()
