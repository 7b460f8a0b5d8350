"""Label formats in and out: COCO, Pascal VOC, YOLO segmentation, labelme, Carvana CSV.

    from core.labels import detect_label_format, LABEL_READERS, export_labels
    dataset = LABEL_READERS["coco"](path)           # or core.data.open_dataset(path)
    export_labels(dataset, "yolo-seg", "out/")      # masks -> another format

Readers open as the ``Dataset`` protocol of ``core.data.base``; writers go
through ``export.export_labels``. No Qt, no torch.
"""

from core.labels.detect import LABEL_READERS, detect_label_format
from core.labels.export import EXPORT_FORMATS, export_labels

__all__ = ["EXPORT_FORMATS", "LABEL_READERS", "detect_label_format", "export_labels"]
