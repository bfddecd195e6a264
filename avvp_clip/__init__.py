"""Audio-visual video parsing with CLIP pseudo visual labels."""
