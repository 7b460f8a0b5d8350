"""glibc keeps freed activation-sized buffers after keep_freed_memory() (no timing: page faults)."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from core import malloc_tuning

SCRIPT = """
import ctypes, resource, sys
from core.malloc_tuning import keep_freed_memory
if sys.argv[1] == "tuned":
    assert keep_freed_memory()
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
size = 20 << 20  # one activation buffer of a U-Net step
faults = []
for _ in range(6):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    pointer = libc.malloc(size)
    ctypes.memset(pointer, 1, size)
    libc.free(pointer)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(sum(faults[1:]))  # after the first, a reused buffer faults in nothing
"""

glibc_only = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                                reason="mallopt is glibc's")


def _later_faults(mode: str) -> int:
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True,
                          env=env, cwd=str(Path(__file__).parents[1]), check=True)
    return int(done.stdout.strip())


@glibc_only
def test_freed_buffers_are_reused_instead_of_faulted_in_again():
    default = _later_faults("default")  # mmap'd and unmapped every time: faulted in again
    assert default > 0
    assert _later_faults("tuned") * 10 < default  # served again from the kept heap


def test_user_settings_and_other_platforms_are_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    assert malloc_tuning.keep_freed_memory() is False
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_")
    monkeypatch.setattr(malloc_tuning.platform, "system", lambda: "Darwin")
    assert malloc_tuning.keep_freed_memory() is False
