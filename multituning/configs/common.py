"""What the five paper experiments share: ResNet-50 from ImageNet weights, three settings, 224 px crops.

Where the paper gives no number, the value here is a choice, listed in the subproject README.
"""

from multituning.config import AMFConfig, PolicyConfig, sgd_stage
from multituning.data import DataConfig
from multituning.members import BackboneConfig, MembersConfig

# torchvision's ImageNet ResNet-50 (IMAGENET1K_V1) file, fetched by `python -m multituning.prepare weights`
RESNET50_WEIGHTS = "data/weights/resnet50-0676ba61.pth"


def paper_config(dataset: str, finetune_steps: int, batch_size: int = 64, workers: int = 8) -> AMFConfig:
    """`finetune_steps` per member (about 50 epochs on the small sets, 8-10 on CIFAR-10 / Fashion-MNIST)."""
    cfg = AMFConfig(
        data=DataConfig(name=dataset, root=f"data/{dataset}", image_size=224, resize_size=256, augment=True,
                        eval_batch_size=256, num_workers=workers),
        members=MembersConfig(backbone=BackboneConfig(arch="resnet50", pretrained_file=RESNET50_WEIGHTS)),
        finetune=sgd_stage(0.01, 1e-4, finetune_steps, batch_size),
        policy=PolicyConfig(input_size=112, train=sgd_stage(0.01, 0.001, finetune_steps // 2, batch_size)),
    )
    for stage in (cfg.finetune, cfg.policy.train):
        stage.num_workers = workers  # JPEG decoding and augmentation off the training process
    return cfg
