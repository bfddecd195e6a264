"""Smoke profile: the MS3 code path (all five frames supervised, TPAVI) on a generated dataset where a
tone says which of two coloured shapes sounds; a tiny PVT-v2 and a tiny frozen random VGGish; CPU, about a minute."""
from avsbench.config import AudioConfig, AVSConfig, DataConfig, LossConfig, ModelConfig
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig


def get_config(data_root: str = "runs/avsbench/smoke/data/Multi-sources") -> AVSConfig:
    return AVSConfig(
        data=DataConfig(data_root=data_root, setting="ms3", image_size=32, generate=True,
                        generate_image_size=32, generate_clips=(96, 8, 16)),
        model=ModelConfig(backbone="pvt_v2_b5", channels=16, tpavi_stages=(0, 1, 2, 3),
                          pvt_embed_dims=(16, 32, 32, 32), pvt_depths=(1, 1, 1, 1), pvt_num_heads=(1, 1, 1, 1),
                          pvt_sr_ratios=(8, 4, 2, 1), pvt_drop_path_rate=0.0, head_channels=(16, 8)),
        audio=AudioConfig(vggish_weights=None, widths=(4, 8, 8, 8), hidden=64, random_init="kaiming"),
        loss=LossConfig(avm="none"),  # the AVM loss (tested against the original) slows this tiny run down
        train=TrainerConfig(max_steps=200, batch_size=4, log_every=20, ckpt_every=1000, eval_every=0, progress=False,
                            optim=OptimConfig(name="adam", lr=2e-3), schedule=ScheduleConfig(name="constant")),
    )
