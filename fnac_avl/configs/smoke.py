"""Smoke run: the generated colour/tone dataset (fnac_avl.synthetic), ResNet-18-shaped encoders at 1/4 width,
64-pixel frames, on CPU in about a minute. Same data readers, losses, trainer and metrics as the paper
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
config.data.image_size = 64  # a 2 x 2 feature map: one cell per image half
config.data.gen_size = 64
config.data.cache = True
config.data.eval_batch_size = 96
config.model.dim = 64
config.model.image_widths = (8, 16, 32, 64)
config.model.audio_widths = (8, 16, 32, 64)
config.model.dropout_img = 0.0
config.loss.warmup_epochs = 10  # from scratch, the contrastive term needs ~150 updates to leave chance
config.train.batch_size = 32
# the FNAC terms are means over a batch x batch matrix of softmax differences, so their size goes as 1/batch:
# 100 at the paper's batch of 256 is 100 * 32 / 256 = 12.5 at 32 (at 100 they flatten every similarity)
config.loss.w_fns_audio = config.loss.w_tne = config.loss.w_fns_image = 100 * 32 / 256
config.train.seed = 0
config.train.optim.lr = 3e-3
config.train.log_every = 15
config.train.ckpt_every = 10_000
config.train.progress = False
config.epochs = 16
