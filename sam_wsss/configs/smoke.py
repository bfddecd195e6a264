"""Smoke run on CPU (about a minute): the same pipeline on a generated VOC tree and two scikit-image photos,
with randomly initialised tiny Grounding DINO and SAM (so the pseudo labels carry no signal), then a tiny
DeepLab-v2 (ResNet-18 trunk, width 8) trained for 60 steps. `reproduce.py --profile smoke` fills in the paths."""

from sam_wsss.configs._common import smoke_experiment


def get_config():
    return smoke_experiment()
