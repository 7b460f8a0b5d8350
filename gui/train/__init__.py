"""The Train panel: options, a training worker thread, live curves, compare runs."""
