"""Smoke profile (CPU): real small images from scikit-learn and scikit-image, 32 x 32.

Same code path as the paper configs (DTD reader, the three fine-tuning settings, SpotTune-style policy on
held-out images, the stages through shared.trainer); the backbone is a small ResNet pretrained in the same
run on a source split (digits 0-4 + 8 photos), since no pretrained weights can be downloaded here.
"""

from multituning.configs._common import smoke_config


def get_config():
    return smoke_config()
