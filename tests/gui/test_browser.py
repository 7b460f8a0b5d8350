"""The dataset browser on 5,000 images: only what is on screen gets decoded, off the UI thread."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from core.data.base import ArrayDataset
from core.ordering import sort_indices, split_indices
from gui.browser.panel import BrowserPanel

pytestmark = pytest.mark.gui
COUNT = 5000


class CountingDataset(ArrayDataset):
    """Records which items were decoded, and on which thread."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.decoded: list[int] = []
        self.threads: set[int] = set()

    def __getitem__(self, index: int):
        self.decoded.append(index)
        self.threads.add(threading.get_ident())
        return super().__getitem__(index)


@pytest.fixture
def dataset() -> CountingDataset:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(COUNT, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, size=COUNT)
    return CountingDataset(images=images, targets=labels, kind="classification", format="test",
                           task="cifar10", class_names=[f"c{i}" for i in range(10)])


@pytest.fixture
def browser(qtbot):
    panel = BrowserPanel()
    qtbot.addWidget(panel)
    panel.resize(360, 600)
    panel.show()
    yield panel
    panel.shutdown()


def test_only_visible_thumbnails_are_decoded_off_the_ui_thread(browser, dataset, qtbot):
    browser.set_dataset(dataset)
    assert browser.model.rowCount() == COUNT
    qtbot.waitUntil(lambda: len(browser.model._cache) >= 12, timeout=10_000)
    browser.model.loader.wait(5000)
    qtbot.wait(50)
    first_screen = set(dataset.decoded)
    assert 0 < len(first_screen) < 200, "only rows on screen should be decoded"
    assert threading.get_ident() not in dataset.threads, "decoding must stay off the UI thread"
    # jump to the end: the last rows get decoded, the skipped middle does not
    browser.view.scrollToBottom()
    last = int(browser.model.order[-1])
    qtbot.waitUntil(lambda: last in browser.model._cache, timeout=10_000)
    browser.model.loader.wait(5000)
    assert len(set(dataset.decoded)) < 400


def test_selecting_emits_dataset_index_and_filters_sort(browser, dataset, qtbot):
    browser.set_dataset(dataset)
    with qtbot.waitSignal(browser.current_changed) as chosen:
        browser.select(4321)
    assert chosen.args == [4321]
    browser.set_split("test")
    assert set(browser.visible_indices()) == set(dataset.splits["test"].tolist())
    browser.set_sort_key("label")
    labels = dataset.targets[browser.visible_indices()]
    assert np.all(np.diff(labels) >= 0)
    assert "label: c" in browser.model.data(browser.model.index(0), 3)  # tooltip


def test_model_scores_order_items_unscored_last():
    indices = np.arange(6)
    scores = {"uncertainty": np.array([0.1, np.nan, 0.9, 0.5, np.nan, 0.7])}
    assert sort_indices(indices, "uncertainty", scores=scores).tolist() == [2, 5, 3, 0, 1, 4]
    assert sort_indices(indices, "name", names=["f", "e", "d", "c", "b", "a"]).tolist() == \
        [5, 4, 3, 2, 1, 0]
    splits = {"val": np.array([4, 1])}
    assert split_indices(splits, 6, "val").tolist() == [1, 4]
    assert split_indices(splits, 6, "all").tolist() == list(range(6))


def test_views_of_one_car_have_captions_that_differ_as_drawn(browser, qtbot):
    """Carvana ids share a 12-character car id: every caption read "20e7311ab…"."""
    from core.data import demo_dataset

    cars = demo_dataset("carvana", 32)
    browser.set_dataset(cars)
    view, model = browser.view, browser.model
    width = view.gridSize().width() - 4
    drawn = [view.fontMetrics().elidedText(model.data(model.index(row, 0)),
                                          view.textElideMode(), width) for row in range(16)]
    assert len(set(drawn)) == 16, drawn
    assert drawn[0].startswith("01")
