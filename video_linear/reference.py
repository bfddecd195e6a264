"""The parameter count of the original's model for a config, from its module definitions (not from ours).

lvit_v2 backbone (`lvit_v2.py` + `linear_block_v2.py`): overlapping patch conv + LayerNorm, temporal embedding,
per block two attentions (qkv, proj, gates: `q_gate`/`k_gate` or one `pgate` of 3 head_dim -> head_dim) with
their LayerNorms, an MLP with a 3x3 depthwise conv; final LayerNorm; then the VVTHead (LayerNorm, Linear,
GELU, Dropout, Linear). XVIT's unused `new_fc` is not counted.
"""

from __future__ import annotations

from video_linear.config import ModelConfig


def original_parameters(cfg: ModelConfig) -> int:
    d, h, c = cfg.embed_dim, cfg.embed_dim // cfg.num_heads, int(cfg.embed_dim * cfg.mlp_ratio)
    attn = 3 * d * d + 3 * d + d * d + d
    if cfg.feature_fixation:
        attn += (1 if cfg.share_gate else 2) * (3 * h * h + h)
    attentions = 2 if cfg.attention == "divided" else 1
    norms = (attentions + 1) * 2 * d
    mlp = d * c + c + c * 9 + c + c * d + d
    block = attentions * attn + norms + mlp
    embed = 3 * d * cfg.patch_size ** 2 + d + 2 * d + cfg.embed_frames * d
    head = 2 * d + d * cfg.head_hidden + cfg.head_hidden + cfg.head_hidden * cfg.num_classes + cfg.num_classes
    return embed + cfg.depth * block + 2 * d + head
