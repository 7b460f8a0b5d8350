"""predict on image files: decoded straight at the model's working size, masks at full size."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from core.cli.predict_command import predict_file
from core.data import decode
from core.data.images import read_image
from core.prediction import BasePredictor
from core.preprocess import Preprocess


class BrightnessSegmenter(BasePredictor):
    """Foreground logit = how bright the pixel is: easy to compare across paths."""

    def forward(self, batch):
        return (batch.mean(axis=1, keepdims=True) - 0.5) * 8  # (N, 1, h, w)


def _jpeg(path, height=256, width=384):
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.zeros((height, width, 3), np.uint8)
    cv2.circle(rgb, (width // 2, height // 2), height // 3, (230, 230, 230), -1)
    rgb[..., 2] = (x * 100 // width).astype(np.uint8)
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])


def _segmenter(size):
    return BrightnessSegmenter(kind="segmentation", task="folder", class_names=["background", "object"],
                               preprocess=Preprocess(3, size))


def test_a_fixed_size_model_gets_the_reduced_decode_and_masks_come_back_full_size(tmp_path, monkeypatch):
    _jpeg(tmp_path / "car.jpg")
    segmenter = _segmenter((32, 48))
    reference = segmenter.predict(read_image(tmp_path / "car.jpg"))  # full decode, then resize
    flags = []
    real = decode.cv2.imdecode
    monkeypatch.setattr(decode.cv2, "imdecode", lambda data, flag: flags.append(flag) or real(data, flag))
    monkeypatch.setattr(decode, "read_image", lambda path: pytest.fail("full decode"))

    mask = predict_file(segmenter, str(tmp_path / "car.jpg"))

    assert flags == [cv2.IMREAD_REDUCED_COLOR_8 | cv2.IMREAD_IGNORE_ORIENTATION]  # 256x384 / 8 = 32x48
    assert mask.shape == (256, 384) and mask.dtype == np.float32
    assert np.abs(mask - reference).mean() < 0.02
    assert ((mask > 0.5) == (reference > 0.5)).mean() > 0.99


def test_native_size_models_and_classifiers(tmp_path):
    _jpeg(tmp_path / "car.jpg")
    native = _segmenter(None)
    assert predict_file(native, str(tmp_path / "car.jpg")).shape == (256, 384)

    class Brightness(BasePredictor):
        def forward(self, batch):
            return np.stack([batch.mean(axis=(1, 2, 3)), -batch.mean(axis=(1, 2, 3))], axis=1)
    classifier = Brightness(kind="classification", task="folder", class_names=["bright", "dark"],
                            preprocess=Preprocess(3, (32, 32)))
    probabilities = predict_file(classifier, str(tmp_path / "car.jpg"))
    assert probabilities.shape == (2,) and probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert probabilities == pytest.approx(classifier.predict(read_image(tmp_path / "car.jpg")), abs=0.02)
