"""Paper configurations (ECCV 2022, Sec. 5.1 and the released train.sh): Adam, lr 1e-4, batch 4 clips,
224 x 224 frames, 15 epochs for S4 and 30 for MS3, frozen VGGish, TPAVI at all four stages."""

from __future__ import annotations

from avsbench.model import ModelConfig
from avsbench.train import AVSConfig, DataConfig, LossConfig
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig

TRAIN_CLIPS = {"s4": 3452, "ms3": 296}  # AVSBench-object train splits
EPOCHS = {"s4": 15, "ms3": 30}
ROOTS = {"s4": "data/avsbench/Single-source", "ms3": "data/avsbench/Multi-sources"}
BACKBONE_WEIGHTS = {"resnet50": "data/avsbench/pretrained/resnet50-19c8e357.pth",
                    "pvt_v2_b5": "data/avsbench/pretrained/pvt_v2_b5.pth"}


def paper_config(setting: str, backbone: str, tpavi: bool = True, avm_weight: float = 0.0) -> AVSConfig:
    batch = 4
    steps = TRAIN_CLIPS[setting] // batch * EPOCHS[setting]
    return AVSConfig(
        data=DataConfig(root=ROOTS[setting], setting=setting, image_size=224),
        model=ModelConfig(backbone=backbone, tpavi_stages=(0, 1, 2, 3) if tpavi else ()),
        loss=LossConfig(avm="kl" if avm_weight else "none", avm_weight=avm_weight),
        train=TrainerConfig(max_steps=steps, batch_size=batch, log_every=50, ckpt_every=1000, num_workers=8,
                            optim=OptimConfig(name="adam", lr=1e-4), schedule=ScheduleConfig(name="constant")),
        backbone_weights=BACKBONE_WEIGHTS[backbone],
    )
