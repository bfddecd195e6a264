"""PASCAL VOC 2012: SAM pseudo labels for the 10,582 train_aug images (run_pascal.sh), scored on the 1,464 train
images; DeepLab-v2 ResNet-101 trained on them (deeplab-pytorch's VOC recipe) and scored on the 1,449 val images."""

from sam_wsss.configs._common import voc_experiment


def get_config():
    return voc_experiment()
