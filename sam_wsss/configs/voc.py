"""PASCAL VOC 2012: SAM pseudo labels for the 10,582 train_aug images (run_pascal.sh), scored on the 1,464 train
images; DeepLab-v2 ResNet-101 trained on them and scored on the 1,449 val images."""

from sam_wsss.config import Experiment

config = Experiment(name="voc")
p = config.pseudo
p.data.dataset = "voc"
p.data.root = "data/VOCdevkit/VOC2012"
p.data.split = "train_aug"
p.data.gt_folder = "SegmentationClassAug"  # image-level labels = the classes in these masks
p.data.eval_split = "train"
p.data.eval_gt_folder = "SegmentationClass"
p.prompt.vocabulary = "voc"  # class names plus process_pascal.py's extra words (saddle, plate, tv, ...)
p.detector.kind = "swint_ogc"
p.detector.weights = "weights/groundingdino_swint_ogc.pth"
p.detector.tokenizer = "weights/bert-base-uncased"
p.detector.box_threshold = 0.3
p.detector.text_threshold = 0.25
p.segmenter.kind = "vit_h"
p.segmenter.weights = "weights/sam_vit_h_4b8939.pth"
p.out_dir = "runs/sam_wsss/voc/pseudo_labels"

t = config.train
t.dataset = "voc"
t.data_root = "data/VOCdevkit/VOC2012"
t.train_split = "ImageSets/Segmentation/train_aug.txt"
t.val_split = "ImageSets/Segmentation/val.txt"
t.image_folder = t.val_image_folder = "JPEGImages"
t.val_gt_folder = "SegmentationClass"
t.depth = 101
t.pretrained = "torchvision://resnet101"
t.crop_size = 321
t.batch_size = 10  # total over GPUs: set per GPU = 10 / number of GPUs with --set train.batch_size=...
t.iters = 20000
t.lr = 2.5e-4
t.head_lr_mult = 10.0
t.weight_decay = 5e-4
t.poly_power = 0.9
t.work_dir = "runs/sam_wsss/voc/deeplabv2"
