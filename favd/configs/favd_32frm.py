"""AVLFormer on FAVDBench, the paper's main setting (the original's favd_32frm_default.json + run.sh):

32 frames at 224 px (Video Swin-B, Kinetics-600 init, 784 tokens), 10 s of 32 kHz audio (PaSST-S, AudioSet init,
473 tokens), BERT-base; lr 1e-4 (Video Swin x 0.05), AdamW with weight decay 0.2 (set in the original's
optimizer code), warmup 10% then linear decay, 150 epochs of 7,500 clips at batch 2 x 8 GPUs, clip norm 1.0,
lambda 0.1 (LM) / 0.9 (MLM), learned video attention with sparsity weight 0.5, greedy decoding up to 115 tokens.
"""

from favd.train import FAVDConfig

EPOCHS, TRAIN_CLIPS, BATCH = 150, 7500, 16

config = FAVDConfig()
config.data.root = "datasets"
config.data.vocab_file = "models/captioning/bert-base-uncased/vocab.txt"
config.init.video_swin = "models/video_swin_transformer/swin_base_patch244_window877_kinetics600_22k.pth"
config.init.passt = "models/passt/passt-s-f128-p16-s10-ap.476-swa.pt"
config.init.bert = "models/captioning/bert-base-uncased/pytorch_model.bin"
config.train.batch_size = BATCH
config.train.max_steps = EPOCHS * TRAIN_CLIPS // BATCH
config.train.optim.lr = 1e-4
config.train.optim.weight_decay = 0.2
config.train.schedule.name = "linear"
config.train.schedule.warmup_steps = config.train.max_steps // 10
config.train.clip_grad_norm = 1.0
config.train.precision = "fp32"  # the original: apex O0 (fp32); bf16 is untested here (no GPU)
config.train.seed = 88
config.train.num_workers = 8
config.train.log_every = 50
config.train.ckpt_every = 2000
config.eval.meteor = True
config.eval.entity_nouns = "nltk"
config.eval.t5_dir = "models/t5-base"
