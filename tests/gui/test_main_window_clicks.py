"""Thumbnail clicks: a decoded image shows at once; otherwise a placeholder, then the image."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(0)
    for index in range(8):
        target = tmp_path / "photos" / f"class{index % 2}"
        target.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(target / f"img{index}.png"), rng.integers(0, 256, (40, 60, 3), np.uint8))
    return tmp_path / "photos"


def test_file_images_decode_off_the_ui_thread_and_hit_the_cache_next_time(
        open_main_window, folder, qtbot):
    window = open_main_window(None, demo_size=10, data=str(folder))
    order = [int(i) for i in window.browser.visible_indices()]
    qtbot.waitUntil(lambda: window.current_item == order[0], timeout=10_000)
    # the neighbours of the first image are prefetched (results arrive as queued signals)
    qtbot.waitUntil(lambda: window.samples.is_cached(order[1]), timeout=10_000)

    window.browser.select(order[1])  # a neighbour: already decoded, shown in the same call
    assert window.current_item == order[1]
    assert np.array_equal(window.viewer.view.image, window.dataset[order[1]].image)

    far = order[-1]
    window.samples.set_dataset(window.dataset)  # forget everything: the next click must decode
    window.browser.select(far)
    assert window.current_item == order[1] and "loading" in window.viewer.title.text()
    qtbot.waitUntil(lambda: window.current_item == far, timeout=10_000)
    assert np.array_equal(window.viewer.view.image, window.dataset[far].image)
    assert "loading" not in window.viewer.title.text()
