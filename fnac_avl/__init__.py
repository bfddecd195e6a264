"""False Negative Aware Contrastive learning for sound source localization (CVPR 2023)."""
