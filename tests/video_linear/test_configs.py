"""Every paper config builds on the meta device with the parameter count its architecture implies."""

from pathlib import Path

import pytest
import torch

from shared.config import load_config
from video_linear.model import VideoLinearTransformer, count_parameters

CONFIGS = sorted(p for p in (Path(__file__).resolve().parents[2] / "video_linear" / "configs").glob("*.py")
                 if p.stem != "__init__")


def expected_parameters(cfg) -> int:
    """Count from the original definition (lvit_v2_base_patch16_224_in21k_finetune1k + VVTHead), by hand:
    embed 512, depth 12, 8 heads, MLP 4x with a 3x3 depthwise conv, overlapping 16x16 patch conv.
    The paper's own table could not be consulted offline, so the figure is derived from the original
    code: 52.39M for K400 (separate q/k gates), 52.25M for K600 (shared gate)."""
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


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_config_parameter_count(path):
    cfg = load_config(path)
    with torch.device("meta"):
        model = VideoLinearTransformer(cfg.model)
    assert count_parameters(model) == expected_parameters(cfg.model)


def test_paper_model_size():
    cfg = load_config(CONFIGS[0].parent / "k400.py")
    with torch.device("meta"):
        n = count_parameters(VideoLinearTransformer(cfg.model))
    assert n == 52_389_520  # ViT-B-sized linear backbone with embed 512 (the original's lvit_v2 "base")
