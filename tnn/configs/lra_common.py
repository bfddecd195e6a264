"""OpenNLPLab/Tnn script_lra.py settings per LRA task, on the shared LRA harness.

Per task (script_lra.py dicts): d_model, layers, GTU and GLU expansion, decay gamma, total batch,
lr, weight decay, dropout, RPE depth (dpb_layers) and width (gtu_dpb_dim), warmup; all prenorm with
`synbatch` norm. Schedule: cosine with warmup (OpenNLPLab/lra configs/experiment/tno*-lra-*.yaml);
steps = that yaml's max_epochs x the task's training set / batch. The original cosine runs over
num_training_steps = 50,000 whatever the epochs; here it spans our max_steps.
"""

from __future__ import annotations

from shared.lra.train import DataConfig, LRAConfig
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig
from tnn.lra import TnnLRAConfig

# task: (d_model, layers, gtu_ratio, glu_ratio, gamma, batch, lr, wd, dropout, rpe_layers, rpe_dim, warmup, epochs,
#        training examples, two_d)
SETTINGS = {
    "listops": (128, 4, 1, 1, 1.0, 128, 5e-4, 0.1, 0.0, 3, 32, 1000, 40, 96_000, False),
    "text": (128, 4, 1, 2, 0.9, 32, 1.05e-3, 1e-3, 0.1, 3, 32, 3000, 32, 25_000, False),
    "retrieval": (64, 2, 1, 1.5, 0.6, 64, 1e-2, 1e-2, 0.0, 3, 16, 25000, 20, 147_086, False),
    "image": (128, 12, 2, 3, 0.7, 200, 7e-3, 1e-3, 0.1, 0, 16, 30000, 200, 45_000, True),
    "pathfinder": (64, 6, 3, 2.5, 1.0, 128, 1e-3, 0.0, 0.0, 0, 16, 5000, 200, 160_000, True),
    "pathx": (64, 6, 3, 2.5, 0.999, 64, 1e-4, 0.0, 0.0, 0, 16, 312, 100, 160_000, True),
}


def tnn_lra_config(task: str, data_dir: str) -> LRAConfig:
    d, layers, gtu, glu, gamma, batch, lr, wd, dropout, rpe_layers, rpe_dim, warmup, epochs, n_train, two_d = SETTINGS[task]
    steps = epochs * n_train // batch
    return LRAConfig(
        data=DataConfig(task=task, data_dir=data_dir),
        model=TnnLRAConfig(dim=d, layers=layers, expand_ratio_gtu=float(gtu), expand_ratio_glu=float(glu),
                           use_decay=True, gamma=gamma, rpe_dim=rpe_dim, rpe_layers=rpe_layers, norm="batchnorm",
                           prenorm=True, dropout=dropout, two_d=two_d, pooling="mean", mlp_dim=2 * d),
        train=TrainerConfig(
            max_steps=steps, batch_size=batch, log_every=100, ckpt_every=2000,
            optim=OptimConfig(name="adamw", lr=lr, weight_decay=wd),
            schedule=ScheduleConfig(name="cosine", warmup_steps=warmup),
        ),
    )
