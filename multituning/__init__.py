"""Adaptable Multi-tuning (AMF) for image classification."""
