"""Torch models behind one registry (timm / segmentation_models.pytorch style).

``create_model(name, **options)`` builds a model; ``list_models(kind)`` and
``model_info(name)`` describe what exists (the GUI's model list comes from them).
Importing this package does not import torch: each model module is imported
only when its model is built.
"""

from core.models.registry import ModelInfo, create_model, list_models, model_info

__all__ = ["ModelInfo", "create_model", "list_models", "model_info"]
