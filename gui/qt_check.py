"""Check, before opening a window, that Qt can reach a display on this machine.

Run by ``make run`` as ``python -m gui.qt_check``. On Linux, Qt's xcb platform
plugin needs system libraries that minimal installs lack (libxcb-cursor0 since
Qt 6.5); without them Qt aborts with a cryptic message. We look for them first
and print the exact command that fixes it. Exit status 0 means all is well.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

APT_COMMAND = ("sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 "
               "libxcb-image0 libxcb-render-util0 libxkbcommon-x11-0 libxcb-shape0")
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")


def xcb_plugin_path() -> Path | None:
    """PySide6's libqxcb.so, or None when this PySide6 has no xcb plugin."""
    try:
        import PySide6
    except ImportError:
        return None
    path = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return path if path.exists() else None


def missing_libraries(plugin: Path) -> list[str]:
    """Shared libraries ``ldd`` reports as "not found" for ``plugin`` (also its libQt6XcbQpa)."""
    try:
        output = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True,
                                timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []  # no ldd: let Qt itself complain
    return sorted({line.split("=>")[0].strip() for line in output.splitlines()
                   if "not found" in line})


def problems(environ: dict[str, str] | None = None, platform: str | None = None) -> list[str]:
    """One line per problem that would stop the window from opening; empty when fine."""
    environ = dict(os.environ) if environ is None else environ
    platform = sys.platform if platform is None else platform
    qpa = environ.get("QT_QPA_PLATFORM", "")
    if not platform.startswith("linux") or qpa.split(":")[0] in HEADLESS_PLATFORMS:
        return []
    found = []
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        found.append("No display: neither DISPLAY nor WAYLAND_DISPLAY is set. Run the app from a "
                     "desktop session, over `ssh -X`, or under `xvfb-run python main.py`; "
                     "the headless commands (`python main.py train ...`) need no display.")
    plugin = xcb_plugin_path()
    if plugin is not None and not environ.get("WAYLAND_DISPLAY"):
        missing = missing_libraries(plugin)
        if missing:
            found.append(f"Qt's xcb platform plugin cannot load: missing {', '.join(missing)}. "
                         f"Install them with:\n    {APT_COMMAND}")
    return found


def main() -> int:
    found = problems()
    for problem in found:
        print(f"CNN-Lytical: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
