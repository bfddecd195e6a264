"""Linear Video Transformer with Feature Fixation."""
