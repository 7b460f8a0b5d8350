"""The current model: loading it from a run, predicting the current image off the UI thread."""
