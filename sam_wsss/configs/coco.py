"""MS-COCO 2014: SAM pseudo labels for the 82,081 annotated train2014 images (run_coco.sh: class names joined by
" . "), scored against the 81-class train masks; DeepLab-v2 ResNet-101 on them, scored on the 40,137 val images."""

from sam_wsss.configs._common import coco_experiment


def get_config():
    return coco_experiment()
