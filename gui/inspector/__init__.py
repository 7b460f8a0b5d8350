"""Inspector: first-layer filters and feature maps of the current image, NumPy and torch alike."""
