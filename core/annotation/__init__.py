"""Mask annotation as pure data: documents, tools, undo/redo, journal, saving.

No Qt here: the canvas in ``gui/annotation`` only turns mouse events into
calls on a :class:`MaskDocument` and redraws the rectangles it reports.
"""

from core.annotation.document import MaskDocument
from core.annotation.grabcut import grabcut
from core.annotation.history import Edit, History, Region
from core.annotation.journal import Journal, discard, find_recoverable, recover
from core.annotation.labels import as_labels, names_for
from core.annotation.overrides import MaskOverrideDataset, with_mask_overrides
from core.annotation.storage import MaskStore, default_masks_dir
from core.annotation.tools import (Selection, brush_segment, fill_holes, flood_fill, keep_largest_component,
                                   magic_wand, mask_from_prediction, polygon, rectangle)

__all__ = [
    "MaskDocument", "grabcut", "Edit", "History", "Region", "Journal", "discard", "find_recoverable", "recover",
    "MaskOverrideDataset", "with_mask_overrides", "MaskStore", "default_masks_dir", "Selection",
    "brush_segment", "fill_holes", "flood_fill", "keep_largest_component", "magic_wand",
    "mask_from_prediction", "polygon", "rectangle", "as_labels", "names_for",
]
