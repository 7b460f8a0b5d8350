"""A plot's title and legend in a layout row of their own, above the plot.

A legend anchored inside a short plot covered its curves and clipped its entries
(#12, Train dock at 1366x768). Here the title and the entries flow left to right
like words in a line and wrap when the row is full; the row is as tall as its lines,
so nothing covers a curve, no label is cut, and the plot keeps the rest of the height.
"""

from __future__ import annotations

from pyqtgraph.graphicsItems.LegendItem import ItemSample
from PySide6.QtWidgets import QSizePolicy

from gui.plotting import pg
from gui.train.plot_style import TITLE_COLOUR

MARGIN_PX = 4
SAMPLE_WIDTH_PX = 20  # pyqtgraph's ItemSample draws in a 20x20 box
ENTRY_SPACING_PX = 12
LABEL_SIZE = "8pt"


class LegendRow(pg.GraphicsWidget):
    """Bold title, then one entry (line sample + label) per curve; ``add``/``remove`` curves."""

    def __init__(self, title: str = ""):
        super().__init__()
        self.title = pg.LabelItem("", color=TITLE_COLOUR, size="10pt", parent=self)
        self._entries: list[tuple[pg.PlotDataItem, ItemSample, pg.LabelItem]] = []
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.set_title(title)

    def set_title(self, title: str) -> None:
        self.title.setText(title, bold=True)
        self.fit()

    def add(self, curve: pg.PlotDataItem, label: str) -> None:
        sample = ItemSample(curve)
        sample.setParentItem(self)
        text = pg.LabelItem(label, color=TITLE_COLOUR, size=LABEL_SIZE, parent=self)
        self._entries.append((curve, sample, text))
        self.fit()

    def remove(self, curve: pg.PlotDataItem) -> None:
        for entry in [e for e in self._entries if e[0] is curve]:
            self._entries.remove(entry)
            for part in entry[1:]:
                part.setParentItem(None)
                if part.scene() is not None:
                    part.scene().removeItem(part)
        self.fit()

    def labels(self) -> list[str]:
        return [text.text for _, _, text in self._entries]

    def entries(self) -> list[tuple[ItemSample, pg.LabelItem]]:
        return [(sample, text) for _, sample, text in self._entries]

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        """Place the title and entries in lines as wide as the row; take the lines' height."""
        right = max(self.width() - MARGIN_PX, MARGIN_PX + 1.0)
        x = y = float(MARGIN_PX)
        line_height = 0.0
        units = [[(self.title, _size(self.title))]]
        units += [[(sample, (SAMPLE_WIDTH_PX, _size(text)[1])), (text, _size(text))]
                  for _, sample, text in self._entries]
        for unit in units:
            width = sum(w for _, (w, _) in unit)
            height = max(h for _, (_, h) in unit)
            if x > MARGIN_PX and x + width > right:  # wrap, unless the line is empty
                x, y = float(MARGIN_PX), y + line_height
                line_height = 0.0
            for part, (part_width, part_height) in unit:
                part.setPos(x, y + (height - part_height) / 2)
                x += part_width
            x += ENTRY_SPACING_PX
            line_height = max(line_height, height)
        total = y + line_height + MARGIN_PX
        if abs(self.minimumHeight() - total) > 0.5:
            self.setMinimumHeight(total)
            self.setMaximumHeight(total)
            self.updateGeometry()


def _size(label: pg.LabelItem) -> tuple[float, float]:
    """A label's text size; the label is shrunk to it so its text sits at its origin."""
    rect = label.item.boundingRect()
    label.resize(rect.width(), rect.height())
    return rect.width(), rect.height()
