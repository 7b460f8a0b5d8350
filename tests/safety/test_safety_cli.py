"""Bad arguments fail in one line naming the flag, before any work or any file is written."""

from __future__ import annotations

import pytest

from tests.safety.cases import CLI
from tests.safety.harness import assert_clean


@pytest.mark.parametrize("case", CLI, ids=[case.name for case in CLI])
def test_bad_argument_is_one_line_naming_the_flag(case, tmp_path):
    assert_clean(case, tmp_path)
    left = [path.name for path in (tmp_path / "run").glob("*")]  # the run lock (.lock) may stay
    assert not [name for name in left if not name.startswith(".")], f"a refused command wrote {left}"
