"""Faults on the output side (full disk, a file where a folder should be, a corrupt image
seen by DataLoader workers): one line naming the file, and existing files left whole."""

from __future__ import annotations

import pytest

from tests.safety.cases import FAULTS
from tests.safety.harness import assert_clean


@pytest.mark.parametrize("case", FAULTS, ids=[case.name for case in FAULTS])
def test_fault_is_one_line_and_keeps_files(case, tmp_path):
    assert_clean(case, tmp_path)
