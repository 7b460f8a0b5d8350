"""Image view with zoom, pan and mask overlays (prediction, ground truth, errors)."""
