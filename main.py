"""CNN-Lytical entry point.

    python main.py                      open the desktop app (demo data by default)
    python main.py info|train|eval|predict|export ...   the same core, headless

Also installed as the ``cnn-lytical`` console script.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from core.malloc_tuning import keep_freed_memory
    keep_freed_memory()  # training steps reuse their activation buffers (1.35x, docs/recipes.md)
    if not argv or argv[0] in ("gui", "--data", "--task", "--run") or argv[0].startswith("--gui"):
        from gui.launch import launch_gui
        return launch_gui(argv[1:] if argv and argv[0] == "gui" else argv)
    from core.cli import run_cli
    return run_cli(argv)


if __name__ == "__main__":
    sys.exit(main())
