"""Fine-grained Audible Video Description (CVPR 2023)."""
