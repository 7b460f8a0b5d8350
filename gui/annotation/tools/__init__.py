"""Canvas tools as objects: the Tool protocol (base.py), one module per tool, the mode table (table.py)."""

from gui.annotation.tools.base import CanvasTool, Tool, ToolEvent, ToolHost
from gui.annotation.tools import table
from gui.annotation.tools.table import TOOL_MODES, TOOLS, ToolMode, mode

__all__ = ["CanvasTool", "Tool", "ToolEvent", "ToolHost", "TOOL_MODES", "TOOLS", "ToolMode", "mode", "table"]
