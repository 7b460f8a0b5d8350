"""The mask editor: canvas, tools bar and the MaskEditor widget (see docs/annotation.md)."""
