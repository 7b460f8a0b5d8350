"""Running one corpus case and saying what happened to it.

Outcomes, as the safety issue counts them:
- ``clean``: an error case ended with exit 2 and one error line naming the file or
  flag, as the last stderr line (progress lines before it are allowed, usage
  blocks and tracebacks are not); a valid-data case ended with exit 0;
- ``traceback``: an exception escaped to the user;
- ``silent``: bad input accepted (exit 0 where an error was due);
- ``resource``: the case ran out of the memory or time it was given;
- ``messy``: exit 2 but several lines, or a line that names neither file nor flag;
- ``refused``: valid data refused.

CLI cases run in-process through ``main.main`` (a subprocess costs seconds of
torch import). Bombs run a reader in a subprocess under ``RLIMIT_AS`` so a
regression fails the test instead of swapping the machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
MEMORY_BUDGET = 1 << 30      # the goal: no input under 10 MB uses more than 1 GB
TIME_BUDGET_S = 30           # ... or 30 s before its one-line error


@dataclass
class Outcome:
    code: int | None
    out: str
    err: str
    error: BaseException | None = None

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@dataclass
class Case:
    """One hostile (or valid but odd) input.

    ``build(tmp)`` creates the files and returns the argv (CLI cases) or the
    path handed to ``reader`` (bounded cases). ``names`` are strings of which
    one must appear in the error line (file name or flag); ``valid`` cases
    must succeed.
    """

    name: str
    category: str                      # bomb | malformed | cli | fault | valid
    build: Callable[[Path], object]
    names: tuple[str, ...] = ()
    valid: bool = False
    reader: str | None = None          # bounded cases: image | mask | decode_image | decode_mask | dataset | journal
    check: Callable[[Path, Outcome], None] | None = None  # extra assertions (files kept, ...)
    extra: dict = field(default_factory=dict)


def run_main(argv: list[str]) -> Outcome:
    """``main.main(argv)`` in this process, with stdout/stderr captured."""
    from main import main

    out, err = io.StringIO(), io.StringIO()
    code, error = None, None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except Exception as exception:  # noqa: BLE001 - the census records what escapes
            error = exception
    return Outcome(code, out.getvalue(), err.getvalue(), error)


BOUNDED_SNIPPET = textwrap.dedent("""
    import atexit, json, os, resource, sys, time
    sys.path.insert(0, {root!r})
    import numpy, cv2, PIL.Image
    path, reader = {path!r}, {reader!r}

    def peak_rss():
        return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) * 1024

    start_rss, start = peak_rss(), time.perf_counter()
    atexit.register(lambda: print(json.dumps({{"peak_extra_bytes": peak_rss() - start_rss,
                                               "seconds": time.perf_counter() - start}})))
    base = int(open("/proc/self/status").read().split("VmPeak:")[1].split()[0]) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (base + {budget}, base + {budget}))
    from core.errors import CnnLyticalError, one_line
    try:
        if reader == "image":
            from core.data.images import read_image
            read_image(path)
        elif reader == "mask":
            from core.data.masks import read_mask
            read_mask(path)
        elif reader == "decode_image":  # training's reduced decode
            from core.data.decode import decode_image
            decode_image(path, (128, 128))
        elif reader == "decode_mask":
            from core.data.decode import decode_mask
            decode_mask(path)
        elif reader == "dataset":
            from core.data import open_dataset
            dataset = open_dataset(path)
            for i in range(len(dataset)):
                dataset[i]
        elif reader == "journal":
            from core.annotation.journal import find_recoverable, recover
            for item in find_recoverable(path):
                recover(path, item)
    except CnnLyticalError as error:
        print("error: " + one_line(error), file=sys.stderr)
        sys.exit(2)
    except MemoryError:
        print("MemoryError", file=sys.stderr)
        sys.exit(3)
""")


def bounded_usage(outcome: Outcome) -> dict | None:
    """``{"peak_extra_bytes", "seconds"}`` a bounded reader reported (None if it died first)."""
    for line in reversed(outcome.out.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None


def run_bounded(path: Path, reader: str, budget: int = MEMORY_BUDGET) -> Outcome:
    """The reader on ``path`` in a fresh interpreter limited to ``budget`` bytes over its start."""
    snippet = BOUNDED_SNIPPET.format(root=str(ROOT), budget=budget, path=str(path), reader=reader)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    try:
        done = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True,
                              timeout=TIME_BUDGET_S, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return Outcome(None, "", "timeout")
    return Outcome(done.returncode, done.stdout, done.stderr)


def looks_out_of_resources(outcome: Outcome) -> bool:
    text = outcome.err
    return (outcome.code is None or outcome.code == 3 or outcome.code < 0
            or "MemoryError" in text or "Insufficient memory" in text
            or "Failed to allocate" in text or "OutOfMemory" in text or "std::bad_alloc" in text
            or "Unable to allocate" in text)


def classify(case: Case, outcome: Outcome) -> str:
    """One of clean, traceback, silent, resource, messy, refused (see the module doc)."""
    if case.reader is not None and looks_out_of_resources(outcome):
        return "resource"
    if outcome.error is not None or "Traceback (most recent call last)" in outcome.err:
        return "traceback"
    if case.valid:
        return "clean" if outcome.code == 0 else "refused"
    if outcome.code in (0, None) or (case.reader is not None and outcome.code == 0):
        return "silent"
    lines = outcome.err_lines
    errors = [line for line in lines if "error" in line.lower() or line.startswith("usage:")]
    if (outcome.code == 2 and errors == lines[-1:] and any(name in lines[-1] for name in case.names)):
        if case.extra.get("no_negative") and re.search(r"(^|[\s(=,])-\d", lines[-1]):
            return "messy"  # e.g. a negative byte count from an overflowed product
        return "clean"
    return "messy"


def run_case(case: Case, tmp: Path) -> Outcome:
    built = case.build(tmp)
    if case.reader is not None:
        return run_bounded(Path(built), case.reader)
    if callable(built):  # API-level fault cases return a function giving an Outcome
        return built()
    return run_main(list(built))


def describe(outcome: Outcome) -> str:
    if outcome.error is not None:
        return f"{type(outcome.error).__name__}: {str(outcome.error)[:200]}"
    return json.dumps({"code": outcome.code, "err": outcome.err[-400:]})


def verdict(case: Case, tmp: Path) -> tuple[str, Outcome]:
    """Run ``case`` in ``tmp``: its outcome class, downgraded to ``messy`` when its own
    check fails (a file changed, a warning missing)."""
    outcome = run_case(case, tmp)
    result = classify(case, outcome)
    if result == "clean" and case.check is not None:
        try:
            case.check(tmp, outcome)
        except AssertionError as failure:
            outcome.err += f"\ncheck failed: {failure}"
            result = "messy"
    return result, outcome


def assert_clean(case: Case, tmp: Path) -> Outcome:
    result, outcome = verdict(case, tmp)
    assert result == "clean", f"{case.name}: {result}: {describe(outcome)}"
    return outcome
