"""Tiny datasets still get a validation split (a 16-view single-car folder failed to train)."""

from __future__ import annotations

import numpy as np
import pytest

from core.data.splits import grouped_split, shuffled_split


def _sizes(split):
    return {name: len(indices) for name, indices in split.items()}


@pytest.mark.parametrize("cars", [1, 2])
def test_too_few_groups_split_the_items_and_keep_a_validation_set(cars):
    groups = [f"car{index % cars}" for index in range(16)]
    split = grouped_split(groups, seed=0)
    assert sum(_sizes(split).values()) == 16
    assert _sizes(split)["val"] >= 1 and _sizes(split)["train"] >= 1
    every = np.concatenate(list(split.values()))
    assert sorted(every.tolist()) == list(range(16)), "each item in exactly one split"


def test_three_groups_still_stay_apart():
    groups = [f"car{index // 16}" for index in range(48)]
    split = grouped_split(groups, seed=0)
    cars_in = {name: {groups[i] for i in indices} for name, indices in split.items()}
    assert all(len(cars) == 1 for cars in cars_in.values())
    assert len(set.union(*cars_in.values())) == 3


def test_two_items_give_one_train_and_one_val():
    assert _sizes(shuffled_split(2)) == {"train": 1, "val": 1, "test": 0}
    assert _sizes(shuffled_split(1))["val"] == 0  # one item cannot be split: training says so
