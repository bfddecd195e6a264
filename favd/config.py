"""Every schema of the favd experiments: model parts, data, initialisation, evaluation, and the experiment.

Defaults are the paper's setting (the original's favd_32frm_default.json + run.sh); `configs/_common.py`
fills in the data and weights paths when a config is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.trainer import TrainerConfig


@dataclass
class SwinSettings:
    patch_size: tuple[int, int, int] = (2, 4, 4)
    embed_dim: int = 128
    depths: tuple[int, ...] = (2, 2, 18, 2)
    num_heads: tuple[int, ...] = (4, 8, 16, 32)
    window_size: tuple[int, int, int] = (8, 7, 7)
    drop_path_rate: float = 0.2


@dataclass
class AudioSettings:
    sample_rate: int = 32000
    n_mels: int = 128
    win_length: int = 800
    hopsize: int = 320
    n_fft: int = 1024
    freqm: int = 48
    timem: int = 192
    fmin_aug_range: int = 10
    fmax_aug_range: int = 2000
    input_tdim: int = 998
    patch_size: int = 16
    stride: int = 10
    embed_dim: int = 768
    depth: int = 12
    num_heads: int = 12
    s_patchout_t: int = 40
    s_patchout_f: int = 4


@dataclass
class BertSettings:
    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    layer_norm_eps: float = 1e-12
    img_feature_dim: int = 512
    initializer_range: float = 0.02


@dataclass
class ModelConfig:
    swin: SwinSettings = field(default_factory=SwinSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    bert: BertSettings = field(default_factory=BertSettings)
    img_feature_dim: int = 512
    max_img_seq_length: int = 1257  # video tokens + audio tokens: 784 + 473 in the paper config
    learn_mask_enabled: bool = True
    sparse_mask_soft2hard: bool = False
    lambda_: float = 0.1  # weight of the autoregressive LM loss; 1 - lambda_ for the masked LM loss
    loss_sparse_w: float = 0.5
    label_smoothing: float = 0.0
    use_audio: bool = True  # False: the video-only captioner AVLFormer extends (SwinBERT); media = video tokens only
    activation_checkpoint: bool = True  # recompute Video Swin's activations in backward (the original's use_checkpoint)


@dataclass
class DataConfig:
    root: str = "data/favdbench"
    vocab_file: str = "weights/bert-base-uncased/vocab.txt"
    train_split: str = "train"
    eval_split: str = "test"
    caption_file: str = "{split}.caption.tsv"
    num_frames: int = 32
    img_res: int = 224
    clip_seconds: float = 10.0
    max_seq_length: int = 300
    max_gen_length: int = 115
    num_beams: int = 1  # the original's default: greedy
    mask_prob: float = 0.25
    max_masked_tokens: int = 75
    # "masked": the original's next-token targets, read from the token list after masking (it masks in place and
    # aliases the list), so ~22% of them are [MASK] or random words; "clean": targets from the unmasked text
    lm_targets: str = "masked"
    eval_gain: bool = True  # the original applies the random +-7 dB gain at evaluation and inference too
    eval_seed: int = 0  # seeds the evaluation-time gain, so an evaluation is repeatable
    # evaluation frames: "frames" reads the extracted JPEGs (<root>/frames), "video" decodes <root>/videos/<split>/
    # <vid>.mp4 as the original's inference.sh (32 frames spread uniformly over the decoded clip)
    eval_frames: str = "frames"
    eval_batch_size: int = 2
    max_eval_clips: int = 0  # 0: the whole split
    cache_decoded: bool = False  # keep decoded clips in memory (small data only)
    # generated data (smoke): written into `root` when its files are missing
    generate: bool = False
    gen_num_train: int = 96
    gen_num_test: int = 24
    gen_seed: int = 0


@dataclass
class InitConfig:
    """Pretrained weights the original starts from (local paths; empty: random init).

    BERT is empty in the paper config: the original sets `img_feature_dim`, which marks the BERT structure as
    changed in its `load_bert.py`, so it builds BERT from scratch ("Init model from scratch" in its log)."""

    video_swin: str = ""  # swin_base_patch244_window877_kinetics600_22k.pth
    passt: str = ""  # passt-s-f128-p16-s10-ap.476-swa.pt
    bert: str = ""  # bert-base-uncased pytorch_model.bin (not used by the original's FAVD recipe)
    checkpoint: str = ""  # an original AVLFormer model.bin (all weights)


@dataclass
class EvalConfig:
    meteor: bool = True  # METEOR runs Java (about 5 s a call)
    entity_nouns: str = "nltk"  # "nltk" (the original's tagger) or "lexicon" (a fixed noun list, generated data)
    entity_lexicon: tuple[str, ...] = ()
    t5_dir: str = "weights/t5-base"  # local t5-base folder; "" -> a hashed stand-in encoder (not the paper's T5)


@dataclass
class FAVDConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainerConfig = field(default_factory=TrainerConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    init: InitConfig = field(default_factory=InitConfig)
    backbone_coef_lr: float = 0.05  # Video Swin learns at lr * this
    freeze_backbone: bool = False
    freeze_passt: bool = False
