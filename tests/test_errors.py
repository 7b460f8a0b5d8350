"""What a user reads when something fails: always one line."""

from __future__ import annotations

from core.errors import DataError, one_line


def test_core_errors_keep_their_own_message():
    assert one_line(DataError("/data/x.idx", "file is truncated")) == "/data/x.idx: file is truncated"


def test_other_errors_give_type_and_first_line_only():
    assert one_line(ValueError("first line\n  detail\n  more")) == "ValueError: first line"


def test_an_error_without_text_gives_its_type():
    assert one_line(RuntimeError()) == "RuntimeError"
