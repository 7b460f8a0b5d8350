"""Bombs: a file under a few MB declaring gigabytes is refused from its header.

Each reader runs in a fresh interpreter limited to 1 GiB of address space above
its start (and 30 s), so a regression fails here instead of swapping the machine.
"""

from __future__ import annotations

import pytest

from tests.safety.cases import BOMBS
from tests.safety.harness import MEMORY_BUDGET, assert_clean, bounded_usage


@pytest.mark.parametrize("case", BOMBS, ids=[case.name for case in BOMBS])
def test_bomb_is_refused_within_bounds(case, tmp_path):
    outcome = assert_clean(case, tmp_path)
    assert case.valid or any(word in outcome.err for word in ("CNN_LYTICAL_MAX_", "cannot", "refused"))
    usage = bounded_usage(outcome)
    if usage is not None:  # reported by the reader's interpreter (in-process CLI cases have none)
        assert usage["peak_extra_bytes"] < MEMORY_BUDGET // 8, usage  # refused from the header
