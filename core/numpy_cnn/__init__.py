"""The NumPy CNN engine: layers with hand-written backward passes, no autograd.

Every gradient here is derived by hand and proven by ``gradcheck`` (central
differences, float64) and by comparison with torch (``torch_twin``).
"""

from core.numpy_cnn.model import Sequential, build_model, list_models

__all__ = ["Sequential", "build_model", "list_models"]
