"""The paper's setting (the original's favd_32frm_default.json + run.sh), built as a fresh config each call:

32 frames at 224 px (Video Swin-B, Kinetics-600 init, 784 tokens), 10 s of 32 kHz audio (PaSST-S, AudioSet init,
473 tokens), BERT-base built from scratch (as the original: see config.InitConfig); lr 1e-4 (Video Swin x 0.05),
AdamW with weight decay 0.2 (set in the original's optimizer code), warmup 10% then linear decay, 150 epochs of
7,500 clips at batch 2 x 8 GPUs, clip norm 1.0, lambda 0.1 (LM) / 0.9 (MLM), learned video attention with
sparsity weight 0.5, greedy decoding up to 115 tokens.
"""

from __future__ import annotations

from dataclasses import replace

from favd.config import DataConfig, EvalConfig, FAVDConfig, InitConfig
from shared.optim import OptimConfig
from shared.paths import dataset, weights
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig

EPOCHS, TRAIN_CLIPS, BATCH = 150, 7500, 16
DATASET = "favdbench"
# weights/<release>/<file>: one folder per released file's origin
VIDEO_SWIN = ("video_swin", "swin_base_patch244_window877_kinetics600_22k.pth")
PASST = ("passt", "passt-s-f128-p16-s10-ap.476-swa.pt")
BERT_VOCAB = ("bert-base-uncased", "vocab.txt")
T5_BASE = ("t5-base",)
TRILIP = ("favdbench", "TriLip.bin")


def paper_config() -> FAVDConfig:
    max_steps = EPOCHS * TRAIN_CLIPS // BATCH
    train = TrainerConfig(
        batch_size=BATCH, max_steps=max_steps, clip_grad_norm=1.0,
        precision="fp32",  # the original: apex O0 (fp32); bf16 is untested on a GPU here
        seed=88, num_workers=8, log_every=50, ckpt_every=2000,
        optim=OptimConfig(lr=1e-4, weight_decay=0.2),
        schedule=ScheduleConfig(name="linear", warmup_steps=max_steps // 10))
    return FAVDConfig(
        data=DataConfig(root=str(dataset(DATASET)), vocab_file=str(weights(*BERT_VOCAB))),
        train=train,
        eval=EvalConfig(meteor=True, entity_nouns="nltk", t5_dir=str(weights(*T5_BASE))),
        init=InitConfig(video_swin=str(weights(*VIDEO_SWIN)), passt=str(weights(*PASST))))


def video_only(cfg: FAVDConfig) -> FAVDConfig:
    """No audio branch: the video-only captioner AVLFormer extends (784 media tokens)."""
    return replace(cfg, model=replace(cfg.model, use_audio=False, max_img_seq_length=784),
                   init=replace(cfg.init, passt=""))


def mlm_only(cfg: FAVDConfig) -> FAVDConfig:
    """The masked-LM loss alone (lambda 0: SwinBERT's objective)."""
    return replace(cfg, model=replace(cfg.model, lambda_=0.0))
