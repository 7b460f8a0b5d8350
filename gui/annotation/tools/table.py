"""The canvas's mode table: one row per tool (as napari's labels layer maps Mode to handlers).

The editor's vertical tool bar, the canvas and the shortcut registry
(gui/shortcuts.py, Help > Keyboard shortcuts) are all built from these rows,
so a new tool is its module plus one row here. Keys must stay unique within
the Annotate context (tests/gui/test_shortcuts.py checks the whole window).
"""

from __future__ import annotations

from dataclasses import dataclass

from gui.annotation.tools.base import CanvasTool
from gui.annotation.tools.box import RectangleTool
from gui.annotation.tools.brush import BrushTool, EraserTool
from gui.annotation.tools.click import FillTool, WandTool
from gui.annotation.tools.grabcut import GrabCutTool
from gui.annotation.tools.polygon import PolygonTool
from gui.annotation.scribble_tool import ScribbleTool


@dataclass(frozen=True)
class ToolMode:
    name: str                 # what canvas.set_tool() takes
    label: str
    key: str                  # single-key shortcut while the Annotate tab has focus
    tip: str
    tool: type[CanvasTool]


TOOL_MODES: tuple[ToolMode, ...] = (
    ToolMode("brush", "Brush", "B", "Paint with a round brush; Shift-drag erases", BrushTool),
    ToolMode("eraser", "Eraser", "E", "Erase with a round brush", EraserTool),
    ToolMode("polygon", "Polygon", "P", "Click points; double-click, Enter or click the first point to fill",
             PolygonTool),
    ToolMode("fill", "Fill", "F", "Flood-fill the connected area under the click", FillTool),
    ToolMode("wand", "Wand", "W", "Select pixels of similar colour (tolerance in the options row)", WandTool),
    ToolMode("grabcut", "GrabCut", "G", "Drag a box around an object to select it; Ctrl-drag marks object, "
             "Ctrl+Shift-drag background", GrabCutTool),
    ToolMode("rectangle", "Rectangle", "R", "Drag a box to fill it", RectangleTool),
    ToolMode("scribble", "Scribble", "S", "Live assist: drag over the object, Shift-drag over background "
             "(Ctrl-drag erases); the assist overlay updates as each stroke ends", ScribbleTool),
)

TOOLS = tuple(mode.name for mode in TOOL_MODES)


def mode(name: str) -> ToolMode:
    for row in TOOL_MODES:  # read at call time: the table may have grown since import
        if row.name == name:
            return row
    raise ValueError(f"unknown tool {name!r}; tools are {', '.join(row.name for row in TOOL_MODES)}")
