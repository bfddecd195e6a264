"""Smoke profile: the full method on a generated LLP-layout dataset (official feature sizes), CPU.

Smaller model width and fewer epochs than the paper; everything else is the `vpl_full` code path.
The data folder is set by reproduce.py (`--set data.root=...`). The video-label-only baseline is the
same config with the pseudo-label switches off (see reproduce.py).
"""

import dataclasses

from avvp_clip.config import AVVPConfig, HANConfig
from avvp_clip.configs._common import with_pseudo_labels


def get_config() -> AVVPConfig:
    base = with_pseudo_labels(segment=True, richness=True, denoise=True)
    return dataclasses.replace(
        base,
        data=dataclasses.replace(base.data, generate=True, preload=True),
        model=HANConfig(d_model=64, ffn_dim=64),
        epochs=15,
        lr_step_epochs=12,
        train=dataclasses.replace(base.train, optim=dataclasses.replace(base.train.optim, lr=1e-3), num_workers=0,
                                  log_every=10, ckpt_every=10_000, progress=False),
    )
