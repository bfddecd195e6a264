"""Smoke run: the generated colour/tone dataset (fnac_avl.synthetic), ResNet-18-shaped encoders at 1/4 width,
128-pixel frames, on CPU in about a minute. Same data readers, losses, trainer and metrics as the paper
configs; only sizes, the learning rate and the schedule of the FNAC terms shrink.
"""

from fnac_avl.train import FNACConfig

ROOT = "runs/fnac_avl/data/smoke"

config = FNACConfig()
config.data.generate = ROOT
config.data.train_root = f"{ROOT}/train"
config.data.subset_list = f"{ROOT}/metadata/flickr_smoke.txt"
config.data.testset = "flickr"
config.data.test_root = f"{ROOT}/flickr_test"
config.data.test_csv = f"{ROOT}/metadata/flickr_test.csv"
config.data.test_annotations = f"{ROOT}/flickr_test_anno"
config.data.image_size = 128
config.data.cache = True
config.data.eval_batch_size = 96
config.model.dim = 64
config.model.image_widths = (16, 32, 64, 128)
config.model.audio_widths = (16, 32, 64, 128)
config.model.dropout_img = 0.5
config.loss.warmup_epochs = 2
config.train.batch_size = 32
config.train.seed = 0
config.train.optim.lr = 1e-3
config.train.log_every = 16
config.train.ckpt_every = 10_000
config.train.progress = False
config.epochs = 8
