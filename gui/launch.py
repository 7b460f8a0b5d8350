"""``launch_gui(argv)``: open the main window (``python main.py`` with no sub-command).

    python main.py [--data PATH] [--task mnist|cifar10|carvana|folder] [--run RUN_DIR]

Without options the window reopens the last dataset, or the MNIST demo data.
"""

from __future__ import annotations

import argparse
import sys

from core.tasks import TASK_NAMES


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cnn-lytical", description="Open the CNN-Lytical app.")
    parser.add_argument("--data", help="dataset folder or file to open (default: the last one, "
                                       "or demo data)")
    parser.add_argument("--task", choices=TASK_NAMES, help="task of the data (default: detected)")
    parser.add_argument("--run", help="run directory whose model to show")
    return parser.parse_args(argv)


def launch_gui(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(list(argv or []))
    from gui.qt_check import problems

    found = problems()
    if found:
        for problem in found:
            print(f"CNN-Lytical: {problem}", file=sys.stderr)
        return 1
    from gui.app import create_application
    from gui.main_window import MainWindow

    app = create_application()
    window = MainWindow()
    window.show()
    window.open_initial(arguments.data, arguments.task, arguments.run)
    return app.exec()
