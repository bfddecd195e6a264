"""Kinetics-600 (configs/Kinetics/lxvitv2_B16_16x16_k600_21k_cgate_tempshift_spatialshift.yaml): as k400.py
with 600 classes and one gate shared by queries and keys (SHARE_GATE: True)."""

import dataclasses

from video_linear.configs.k400 import config as k400

EPOCH_STEPS = 390_000 // 64
config = dataclasses.replace(
    k400,
    model=dataclasses.replace(k400.model, num_classes=600, share_gate=True),
    data=dataclasses.replace(k400.data, root="data/kinetics600"),
    train=dataclasses.replace(k400.train, max_steps=40 * EPOCH_STEPS, eval_every=5 * EPOCH_STEPS,
                              ckpt_every=EPOCH_STEPS,
                              schedule=dataclasses.replace(k400.train.schedule, warmup_steps=5 * EPOCH_STEPS)),
)
