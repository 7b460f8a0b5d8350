"""Training: events, cancellation, run directories, and the engines' Trainers."""
