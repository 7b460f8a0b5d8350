"""pyqtgraph, configured once for the app's look: plot modules take ``pg`` from here.

Only plot modules import this, and the window builds its plots after the first paint
(``gui/deferred.py``): pyqtgraph's import (~0.3 s, it loads CUDA bindings when they are
installed) must not delay the first window.
"""

from __future__ import annotations

import pyqtgraph as pg

pg.setConfigOptions(antialias=False, background="w", foreground="#333840")

__all__ = ["pg"]
