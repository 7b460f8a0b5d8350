"""The probability chart shows every class name, none over another (CIFAR lost "airplane")."""

from __future__ import annotations

import numpy as np
import pytest

from gui.prediction.chart import ProbabilityChart

pytestmark = pytest.mark.gui
CIFAR = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def _overlap(a, b) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def test_every_cifar_name_is_drawn_without_overlap(qtbot):
    chart = ProbabilityChart()
    qtbot.addWidget(chart)
    chart.resize(330, 260)  # the Prediction dock's width
    chart.show()
    probabilities = np.full(10, 0.05)
    probabilities[1] = 0.55
    chart.set_probabilities(probabilities, CIFAR, true_label=8)
    qtbot.waitUntil(lambda: len(chart.tick_labels()) == 10, timeout=3000)

    labels = chart.tick_labels()
    assert sorted(text for text, _ in labels) == sorted(CIFAR)
    rects = [rect for _, rect in labels]
    assert not any(_overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])
    np.testing.assert_allclose(chart.probabilities, probabilities)
    assert chart.true_tag.isVisible() and chart.true_tag.pos().y() == pytest.approx(8)
