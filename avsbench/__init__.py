"""Audio-Visual Segmentation (ECCV 2022)."""
