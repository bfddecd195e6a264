"""The Devil in Linear Transformer (EMNLP 2022)."""
