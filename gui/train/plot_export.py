"""Save pyqtgraph plots as PNG with pyqtgraph's own ImageExporter."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph.exporters as exporters
from PySide6.QtCore import QBuffer, QByteArray, QIODevice

from core.atomic import atomic_write_bytes
from core.errors import RunError

MIN_EXPORT_WIDTH = 800


def save_graphics_png(item, path: str | Path) -> Path:
    """Render ``item`` (a QGraphicsScene or PlotItem) to ``path`` as PNG, atomically.

    Small on-screen plots are scaled up to at least 800 px wide so the file stays legible.
    """
    target = Path(path)
    if target.suffix.lower() != ".png":
        target = target.with_suffix(".png")
    exporter = exporters.ImageExporter(item)
    width = int(exporter.parameters()["width"])
    if width < MIN_EXPORT_WIDTH:
        exporter.parameters()["width"] = MIN_EXPORT_WIDTH  # height follows the aspect ratio
    png = exporter.export(toBytes=True)
    if png is None or png.isNull():
        raise RunError(target, "the plot could not be rendered (is it visible?)")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not png.save(buffer, "PNG"):
        raise RunError(target, "could not encode the plot as PNG")
    buffer.close()
    try:
        atomic_write_bytes(target, bytes(data.data()))
    except OSError as error:
        raise RunError(target, f"cannot write the image ({error.strerror})") from None
    return target
