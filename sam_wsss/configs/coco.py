"""MS-COCO 2014: SAM pseudo labels for the 82,081 train2014 images (run_coco.sh: class names joined by " . "),
scored against the 81-class train masks; DeepLab-v2 ResNet-101 trained on them, scored on the 40,137 val images."""

from sam_wsss.config import Experiment

config = Experiment(name="coco")
p = config.pseudo
p.data.dataset = "coco"
p.data.root = "data/coco"
p.data.split = "data/coco/train.txt"  # image ids (COCO_train2014_<12 digits>), as metadata/coco/train.txt
p.data.instances_json = "data/coco/annotations/instances_train2014.json"  # image-level labels
p.data.gt_folder = "coco_seg_anno"
p.data.eval_split = "data/coco/train.txt"
p.data.eval_gt_folder = "coco_seg_anno"
p.prompt.vocabulary = "coco"
p.detector.kind = "swint_ogc"
p.detector.weights = "weights/groundingdino_swint_ogc.pth"
p.detector.tokenizer = "weights/bert-base-uncased"
p.detector.box_threshold = 0.3
p.detector.text_threshold = 0.25
p.segmenter.kind = "vit_h"
p.segmenter.weights = "weights/sam_vit_h_4b8939.pth"
p.out_dir = "runs/sam_wsss/coco/pseudo_labels"

t = config.train
t.dataset = "coco"
t.data_root = "data/coco"
t.train_split = "train.txt"
t.val_split = "val.txt"
t.image_folder = "train2014"
t.val_image_folder = "val2014"
t.val_gt_folder = "coco_seg_anno"
t.depth = 101
t.pretrained = "torchvision://resnet101"
t.crop_size = 481
t.batch_size = 10
t.iters = 100000
t.lr = 2.5e-4
t.head_lr_mult = 10.0
t.weight_decay = 5e-4
t.poly_power = 0.9
t.val_interval = 10000
t.work_dir = "runs/sam_wsss/coco/deeplabv2"
