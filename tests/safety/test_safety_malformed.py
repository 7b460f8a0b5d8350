"""Malformed files fail in one line naming the file; odd but valid data is accepted."""

from __future__ import annotations

import pytest

from tests.safety.cases import MALFORMED, VALID
from tests.safety.harness import assert_clean


@pytest.mark.parametrize("case", MALFORMED, ids=[case.name for case in MALFORMED])
def test_malformed_file_is_one_line_naming_it(case, tmp_path):
    assert_clean(case, tmp_path)


@pytest.mark.parametrize("case", VALID, ids=[case.name for case in VALID])
def test_valid_data_is_accepted(case, tmp_path):
    assert_clean(case, tmp_path)
