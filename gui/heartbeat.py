"""UIHeartbeat: measures how long the UI thread goes without running its event loop.

A QTimer asks to fire every ``interval_ms``; the longest gap between two
firings, minus the interval, is the longest stall a user would feel.

On a machine shared with other busy processes, part of every gap is time
the UI thread was ready to run but the OS ran something else (its run-queue
wait, from Linux's /proc/thread-self/schedstat). ``longest_own_stall_ms``
leaves that out: what remains is the app's own doing (slow slots, waiting for
the GIL). Both figures are reported; on an idle machine they agree.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer

SCHEDSTAT = Path("/proc/thread-self/schedstat")


def run_queue_wait_s() -> float | None:
    """Seconds the calling thread has spent runnable but not running (Linux), else None."""
    try:
        return int(SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


class UIHeartbeat(QObject):
    def __init__(self, interval_ms: int = 5, parent: QObject | None = None):
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._beat)
        self.gaps_ms: list[float] = []
        self.own_gaps_ms: list[float] = []
        self._last: float | None = None
        self._last_wait: float | None = None

    def start(self) -> None:
        self.gaps_ms.clear()
        self.own_gaps_ms.clear()
        self._last, self._last_wait = time.perf_counter(), run_queue_wait_s()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _beat(self) -> None:
        now, wait = time.perf_counter(), run_queue_wait_s()
        if self._last is not None:
            gap = (now - self._last) * 1000.0
            waited = 0.0 if wait is None or self._last_wait is None else (wait - self._last_wait) * 1000.0
            self.gaps_ms.append(gap)
            self.own_gaps_ms.append(max(0.0, gap - waited))
        self._last, self._last_wait = now, wait

    @property
    def longest_stall_ms(self) -> float:
        """Longest gap beyond the timer's own interval (0 when nothing was measured)."""
        return max((gap - self.interval_ms for gap in self.gaps_ms), default=0.0)

    @property
    def longest_own_stall_ms(self) -> float:
        """Like ``longest_stall_ms`` without the time the OS kept the ready UI thread waiting."""
        return max((gap - self.interval_ms for gap in self.own_gaps_ms), default=0.0)

    def percentile_stall_ms(self, percent: float) -> float:
        if not self.gaps_ms:
            return 0.0
        ordered = sorted(self.gaps_ms)
        position = min(len(ordered) - 1, int(round(percent / 100.0 * (len(ordered) - 1))))
        return max(0.0, ordered[position] - self.interval_ms)
