"""CNN-Lytical core: everything that computes. Never imports Qt.

Sub-packages import torch lazily so that `import core` and the data readers
start fast; only the engines that need torch import it.
"""

__version__ = "0.1.0"
