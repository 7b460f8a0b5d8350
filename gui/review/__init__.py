"""Review queue: the images the model is least sure about (or most wrong on), worst first."""
