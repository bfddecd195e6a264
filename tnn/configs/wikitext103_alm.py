"""Autoregressive LM on WikiText-103, `tnn_v2_decay_99_pre` (OpenNLPLab/Tnn script_alm.sh / train_alm.sh).

fairseq recipe: 8 GPUs x batch 8 x update_freq 2 = 128 sequences of 512 tokens per update, 50k updates,
fairseq's `adam` (0.9, 0.98) with weight decay 0.2 (decoupled, on every parameter: AdamW with
decay_1d_params), lr 5e-4, inverse_sqrt with 4000 warmup updates, clip-norm 1.0, dropout 0.1, fp32,
tied input/output embedding, GPT-2 BPE dictionary (50264 symbols). The warm-up starts at fairseq's
--warmup-init-lr 1e-7. `--set train.precision=bf16` is a faster opt-in, not the recipe.
"""

from tnn.config import LMConfig, wikitext103_alm_config


def get_config() -> LMConfig:
    return wikitext103_alm_config()
