"""Smoke run on CPU (about a minute): the same pipeline on a generated VOC tree and two scikit-image photos,
with randomly initialised tiny Grounding DINO and SAM (so the pseudo labels carry no signal), then a tiny
DeepLab-v2 (ResNet-18 trunk, width 8) trained for 60 steps. `reproduce.py --profile smoke` fills in the paths."""

from sam_wsss.config import Experiment

config = Experiment(name="smoke")
p = config.pseudo
p.data.dataset = "voc"
p.data.split = "train"
p.data.gt_folder = "SegmentationClassAug"
p.data.eval_split = "train"
p.data.eval_gt_folder = "SegmentationClass"
p.prompt.vocabulary = "voc"
p.detector.kind = "tiny"
p.detector.size = 128  # the paper's 800 / 1333 only shrink for speed
p.detector.max_size = 200
p.segmenter.kind = "tiny"
p.overlays = 4
p.device = "cpu"

t = config.train
t.dataset = "voc"
t.train_split = "ImageSets/Segmentation/train.txt"
t.val_split = "ImageSets/Segmentation/val.txt"
t.depth = 18
t.base_channels = 8
t.pretrained = ""
t.crop_size = 48
t.scale_range = (0.75, 1.25)
t.batch_size = 4
t.iters = 60
t.lr = 0.01
t.val_interval = 60
t.num_workers = 0
t.log_level = "ERROR"
