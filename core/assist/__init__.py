"""Live assist from scribbles: a pixel classifier that learns while the user paints.

ilastik's idea, with no downloaded weights: multi-scale filter features per
pixel (features.py, cached per image in feature_cache.py), a random forest
trained on the scribbled pixels of every image so far (forest.py), prediction
at a working scale upsampled to the image (assistant.py), an optional tidy-up
(tidy.py), scribbles stored beside the masks (scribble_store.py). No Qt.
"""

from core.assist.assistant import AssistPredictor, AssistSettings, ScribbleAssistant, working_size
from core.assist.features import FeatureSettings, pixel_features
from core.assist.forest import ForestSettings, PixelForest
from core.assist.review import assist_uncertainty
from core.assist.scribble_store import ScribbleStore, scribbles_dir
from core.assist.scribbles import BACKGROUND, OBJECT, SCRIBBLE_CLASSES, UNMARKED
from core.assist.tidy import tidy_probability

__all__ = [
    "AssistPredictor", "AssistSettings", "ScribbleAssistant", "working_size", "FeatureSettings", "pixel_features",
    "ForestSettings", "PixelForest", "assist_uncertainty", "ScribbleStore", "scribbles_dir", "BACKGROUND",
    "OBJECT", "SCRIBBLE_CLASSES", "UNMARKED", "tidy_probability",
]
