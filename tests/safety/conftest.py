"""The safety corpus runs tiny models: one torch thread is faster and steadier on a busy machine."""

from tests.trainer_helpers import one_torch_thread  # noqa: F401

import pytest


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread):  # noqa: F811
    yield
