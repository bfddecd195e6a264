"""Segment Anything for weakly-supervised semantic segmentation."""
