"""What the five paper experiments share: ResNet-50 from ImageNet weights, three settings, 224 px crops.

Where the paper gives no number, the value here is a choice, listed in config.DESIGN_GUESSES and the README.
"""

from dataclasses import replace

from multituning.config import (
    AMFConfig,
    BackboneConfig,
    DataConfig,
    MembersConfig,
    PolicyConfig,
    PretrainConfig,
    sgd_stage,
)
from shared import paths

# torchvision's ImageNet ResNet-50 (IMAGENET1K_V1) file, fetched by `python -m multituning.prepare weights`
RESNET50_WEIGHTS = ("torchvision", "resnet50-0676ba61.pth")


def paper_config(dataset: str, finetune_steps: int, batch_size: int = 64, workers: int = 8) -> AMFConfig:
    """`finetune_steps` per member (about 50 epochs of the full training set on the small sets, 8-10 on
    CIFAR-10 / Fashion-MNIST; more of the members' share when a held-out split feeds the policy), half for the policy."""
    finetune = replace(sgd_stage(0.01, 1e-4, finetune_steps, batch_size), num_workers=workers)
    policy_stage = replace(sgd_stage(0.01, 0.001, finetune_steps // 2, batch_size), num_workers=workers)
    return AMFConfig(
        data=DataConfig(name=dataset, data_root=str(paths.dataset(dataset)), image_size=224, resize_size=256,
                        augment=True, eval_batch_size=256, num_workers=workers),
        members=MembersConfig(backbone=BackboneConfig(arch="resnet50",
                                                      pretrained_file=str(paths.weights(*RESNET50_WEIGHTS)))),
        finetune=finetune,
        policy=PolicyConfig(input_size=112, train=policy_stage),
    )


def smoke_data(root: str, **kwargs) -> DataConfig:
    return DataConfig(name="dtd", data_root=root, image_size=32, resize_size=32, augment=False, preload=True,
                      eval_batch_size=512, **kwargs)


def smoke_config(root: str = "runs/multituning/smoke/data") -> AMFConfig:
    """Real small images at 32 px, a small ResNet pretrained in the same run on a source split (no pretrained
    weights can be downloaded here), then the paper's code path on the target split."""
    quiet = dict(progress=False)
    return AMFConfig(
        smoke_data_root=root,
        data=smoke_data(f"{root}/target"),
        pretrain=PretrainConfig(enabled=True, data=smoke_data(f"{root}/source", train_splits=("train",)),
                                train=replace(sgd_stage(0.05, 5e-4, 300, 64), **quiet)),
        members=MembersConfig(backbone=BackboneConfig(arch="resnet-smoke", layers=(1, 1, 1, 1),
                                                      channels=(16, 32, 64, 128), stem_width=16)),
        finetune=replace(sgd_stage(0.02, 1e-4, 150, 32), **quiet),
        policy=PolicyConfig(stem_width=8, widths=(16, 32, 64), input_size=16,
                            train=replace(sgd_stage(0.02, 0.001, 150, 32), **quiet)),
    )
