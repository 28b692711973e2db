"""Training: dataset profiles, cleaning steps, AutoML, evaluation and tracking."""
