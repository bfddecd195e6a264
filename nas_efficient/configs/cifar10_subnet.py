"""Retrain a searched CIFAR-10 sub-network from scratch (mixFormer train_subnet_cifar10.sh), with the
supernet's recipe. Default architecture: the original's configs/cifar10/subtransformer/subnet-S.yml
(embed 384, 13 layers) with softmax attention everywhere; give a searched one with
`--set arch_file=runs/.../best_arch.json`.
"""

from nas_efficient.configs.cifar10_supernet import config as supernet
from nas_efficient.train import ArchFields, NasConfig

config = NasConfig(
    mode="subnet",
    arch=ArchFields(
        embed_dim=384,
        ffn_dims=[1152, 1344, 1152, 1344, 1536, 1536, 1536, 1536, 1536, 1536, 1536, 1344, 1536],
        heads=[6, 6, 5, 7, 5, 5, 5, 6, 6, 7, 7, 6, 7],
        attention=["softmax"] * 13,
    ),
    space=supernet.space,
    train=supernet.train,
)
config.train.find_unused_parameters = False
