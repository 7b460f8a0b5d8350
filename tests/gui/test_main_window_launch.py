"""Starting the app: the display / xcb-library check, and the launch arguments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui import qt_check
from gui.launch import parse_arguments

ROOT = Path(__file__).resolve().parents[2]


def fake_ldd(monkeypatch, output: str) -> None:
    """Answer ``ldd`` with ``output``: the tests must not depend on this machine's libraries."""
    monkeypatch.setattr(qt_check.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(
        a, 0, stdout=output, stderr=""))


def test_no_display_on_linux_is_reported(monkeypatch):
    fake_ldd(monkeypatch, "\tlibxcb-cursor.so.0 => /usr/lib/libxcb-cursor.so.0 (0x1)\n")
    found = qt_check.problems(environ={}, platform="linux")
    assert len(found) == 1 and "No display" in found[0] and "xvfb-run" in found[0]


def test_headless_platforms_and_other_systems_need_nothing():
    assert qt_check.problems(environ={"QT_QPA_PLATFORM": "offscreen"}, platform="linux") == []
    assert qt_check.problems(environ={}, platform="darwin") == []


def test_missing_xcb_libraries_print_the_apt_command(monkeypatch, tmp_path):
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    fake_ldd(monkeypatch, "\tlibQt6XcbQpa.so.6 => /opt/Qt/lib/libQt6XcbQpa.so.6 (0x1)\n"
                          "\tlibxcb-cursor.so.0 => not found\n"
                          "\tlibxkbcommon-x11.so.0 => not found\n")
    assert qt_check.missing_libraries(plugin) == ["libxcb-cursor.so.0", "libxkbcommon-x11.so.0"]
    monkeypatch.setattr(qt_check, "xcb_plugin_path", lambda: plugin)
    found = qt_check.problems(environ={"DISPLAY": ":0"}, platform="linux")
    assert len(found) == 1
    assert "libxcb-cursor.so.0" in found[0]
    assert qt_check.APT_COMMAND in found[0]
    assert qt_check.APT_COMMAND.startswith("sudo apt-get install -y libxcb-cursor0 ")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="display check is Linux-only")
def test_main_without_display_exits_with_a_clear_message():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    check = subprocess.run([sys.executable, "-m", "gui.qt_check"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 1 and "No display" in check.stderr
    for argv in ([], ["--task", "carvana"]):  # both open the app, which needs a display
        app = subprocess.run([sys.executable, "main.py", *argv], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
        assert app.returncode == 1 and "No display" in app.stderr


def test_launch_arguments():
    arguments = parse_arguments(["--data", "/data/carvana", "--task", "carvana"])
    assert (arguments.data, arguments.task, arguments.run) == ("/data/carvana", "carvana", None)
    assert parse_arguments([]).data is None
    with pytest.raises(SystemExit):
        parse_arguments(["--task", "imagenet"])


BUILD_WINDOW = """
import sys
from gui.app import create_application
from gui.main_window import MainWindow
app = create_application()
window = MainWindow()
plots = sorted(name for name in ("pyqtgraph", "sklearn") if name in sys.modules)
print("plots:" + ",".join(plots))
window.show()
app.processEvents()
heavy = sorted(name for name in ("torch", "torchvision", "onnxruntime", "openvino")
               if name in sys.modules)
print("heavy:" + ",".join(heavy))
window.close()
app.processEvents()
"""


def test_building_the_main_window_does_not_import_torch(tmp_path):
    """The first window must not wait for torch (seconds): it loads later, off the UI thread."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "CNN_LYTICAL_DATA_DIR": str(tmp_path / "user-data")}
    result = subprocess.run([sys.executable, "-c", BUILD_WINDOW], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "heavy:\n" in result.stdout, result.stdout
    # pyqtgraph waits for the first paint, sklearn for the scribble assist's first fit
    assert "plots:\n" in result.stdout, result.stdout
