"""Toeplitz Neural Network for Sequence Modeling (ICLR 2023)."""
