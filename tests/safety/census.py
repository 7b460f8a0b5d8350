"""Count the corpus's outcomes: ``python -m tests.safety.census`` (before/after figures).

Prints one row per case and a total per outcome (clean, traceback, silent,
resource, messy, refused); docs/safety.md quotes the totals.
"""

from __future__ import annotations

import collections
import sys
import tempfile
from pathlib import Path

from tests.safety.cases import ALL
from tests.safety.harness import bounded_usage, describe, verdict


def main(argv: list[str]) -> int:
    only = set(argv)
    totals: collections.Counter = collections.Counter()
    for case in ALL:
        if only and case.category not in only and case.name not in only:
            continue
        with tempfile.TemporaryDirectory() as folder:
            result, outcome = verdict(case, Path(folder))
        totals[result] += 1
        detail = "" if result == "clean" else "  " + describe(outcome)[-300:].replace("\n", " | ")
        usage = bounded_usage(outcome) if case.reader else None
        if usage:
            detail = f"  [+{usage['peak_extra_bytes'] / 2**20:.0f} MiB, {usage['seconds']:.2f} s]" + detail
        print(f"{result:9s} {case.category:9s} {case.name}{detail}", flush=True)
    print("cases", sum(totals.values()), dict(totals))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
