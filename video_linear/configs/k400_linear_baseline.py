"""Ablation: the linear-attention baseline on Kinetics-400 without feature fixation and without
neighbourhood association (the original's switches USE_CGATE, XVIT.USE_XVIT, XVIT.USE_SpatialShift all
off; its repository ships no YAML for this row). Toggle `model.feature_fixation`, `model.share_gate`,
`model.temporal_shift`, `model.spatial_shift` with --set to rebuild the other rows of the ablation."""

import dataclasses

from video_linear.configs.k400 import config as k400

config = dataclasses.replace(
    k400, model=dataclasses.replace(k400.model, feature_fixation=False, spatial_shift=False, temporal_shift=False))
