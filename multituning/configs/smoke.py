"""Smoke profile (CPU, about a minute): real small images from scikit-learn and scikit-image, 32 x 32.

Same code path as the paper configs (DTD reader, the three fine-tuning settings, SpotTune-style policy,
both stages through shared.trainer); the backbone is a small ResNet pretrained in the same run on a
source split (digits 0-4 + 8 photos), since no pretrained weights can be downloaded here.
"""

from multituning.config import AMFConfig, PolicyConfig, PretrainConfig, sgd_stage
from multituning.data import DataConfig
from multituning.members import BackboneConfig

ROOT = "runs/multituning/data/smoke"


def smoke_data(root: str, **kwargs) -> DataConfig:
    return DataConfig(name="dtd", root=root, image_size=32, resize_size=32, augment=False, preload=True,
                      eval_batch_size=512, **kwargs)


config = AMFConfig()
config.smoke_data_root = ROOT
config.data = smoke_data(f"{ROOT}/target")
config.pretrain = PretrainConfig(enabled=True, data=smoke_data(f"{ROOT}/source", train_splits=("train",)),
                                 train=sgd_stage(0.05, 5e-4, 300, 64))
config.members.backbone = BackboneConfig(arch="resnet-smoke", layers=(1, 1, 1, 1), channels=(16, 32, 64, 128),
                                         stem_width=16)
config.finetune = sgd_stage(0.02, 1e-4, 150, 32)
config.policy = PolicyConfig(stem_width=8, widths=(16, 32, 64), input_size=16,
                             train=sgd_stage(0.02, 0.001, 150, 32))
for stage in (config.pretrain.train, config.finetune, config.policy.train):
    stage.progress = False
