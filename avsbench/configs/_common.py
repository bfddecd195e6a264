"""The paper configurations (ECCV 2022, Sec. 5.1 and the released train.sh / test.sh): Adam, lr 1e-4, batch 4
clips (20 frames) on one GPU, 224 x 224 frames, 15 epochs for S4 and 30 for MS3, frozen VGGish, TPAVI at all
four stages; validation every epoch, the best validation mIoU's checkpoint is the one tested.

On several GPUs the recipe stays the one-GPU run: the global batch stays 4 clips (reproduce picks a
process count that divides it) and BatchNorm (ResNet-50's and TPAVI's) normalises over all 20 frames of
the batch (`train.sync_batchnorm`), as the original's single-GPU DataParallel does.
"""

from __future__ import annotations

import dataclasses

from avsbench.config import (
    BACKBONE_WEIGHTS,
    VGGISH_WEIGHTS,
    AudioConfig,
    AVSConfig,
    DataConfig,
    LossConfig,
    ModelConfig,
    setting_root,
    weights_file,
)
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig

TRAIN_CLIPS = {"s4": 3452, "ms3": 296}  # AVSBench-object train splits
EPOCHS = {"s4": 15, "ms3": 30}
BATCH = 4
AVM_LAMBDA = 0.5  # MS3 train.sh --lambda_1
# where `make avsbench` writes the S4 PVT run, whose best checkpoint can initialise MS3 (--load_s4_params)
S4_PVT_BEST = "runs/avsbench/full/s4_pvt_tpavi/checkpoints/best.pt"


def paper_config(setting: str, backbone: str, tpavi: bool = True, avm: str = "none",
                 avm_weight: float = 0.0) -> AVSConfig:
    steps_per_epoch = TRAIN_CLIPS[setting] // BATCH
    return AVSConfig(
        data=DataConfig(data_root=setting_root(setting), setting=setting, image_size=224),
        model=ModelConfig(backbone=backbone, tpavi_stages=(0, 1, 2, 3) if tpavi else ()),
        audio=AudioConfig(vggish_weights=weights_file(VGGISH_WEIGHTS)),
        loss=LossConfig(avm=avm if avm_weight else "none", avm_weight=avm_weight),
        # find_unused_parameters: the decoder's deepest fusion block has a skip unit it never uses (as the original's
        # path4.resConfUnit1); DDP must not wait for its gradient
        train=TrainerConfig(max_steps=steps_per_epoch * EPOCHS[setting], batch_size=BATCH, sync_batchnorm=True,
                            find_unused_parameters=True,
                            eval_every=steps_per_epoch, select_metric="val_miou", select_mode="max",
                            select_split="val", log_every=50, ckpt_every=steps_per_epoch, num_workers=8,
                            optim=OptimConfig(name="adam", lr=1e-4, weight_decay=0.0),
                            schedule=ScheduleConfig(name="constant")),
        backbone_weights=weights_file(BACKBONE_WEIGHTS[backbone]),
    )


def ms3_config(backbone: str, tpavi: bool = True, avm: str = "kl", init_from_s4: bool = False) -> AVSConfig:
    """MS3 as train.sh: TPAVI, AVM-AV (KL) with lambda 0.5 at all stages; optionally from the S4 model."""
    cfg = paper_config("ms3", backbone, tpavi, avm, AVM_LAMBDA if tpavi and avm != "none" else 0.0)
    return dataclasses.replace(cfg, init_from=S4_PVT_BEST) if init_from_s4 else cfg
