"""The Qt binding itself must survive a long session of signal emits.

PySide6 6.12.0 leaked a reference to ``True`` on every ``Signal.emit`` and aborted
the process after about 1,600 emits; a training run emits far more than that.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class Emitter(QObject):
    value = Signal(int)
emitter = Emitter()
received = []
emitter.value.connect(received.append)
before = sys.getrefcount(True)
for i in range(5000):
    emitter.value.emit(i)
print(len(received), sys.getrefcount(True) - before)
"""


def test_many_signal_emits_do_not_crash_or_leak():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-500:]
    received, drift = map(int, result.stdout.split())
    assert received == 5000
    assert abs(drift) < 100
