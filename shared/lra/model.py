"""The baseline classifier of an LRA task: LRA's Transformer encoder under the task's head."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.lra.classifier import Interaction, Pooling, SequenceClassifier
from shared.lra.tasks import get_task
from shared.lra.transformer_baseline import TransformerEncoder


@dataclass
class ModelConfig:
    emb_dim: int = 512
    num_heads: int = 8
    num_layers: int = 4
    qkv_dim: int = 512
    mlp_dim: int = 1024
    dropout: float = 0.1
    attention_dropout: float = 0.1
    learned_pos_emb: bool = False
    cls_token: bool = True
    pooling: Pooling = "cls"
    interaction: Interaction = "nli"
    encoder: Literal["transformer"] = "transformer"


def baseline_model_config(task: str) -> ModelConfig:
    """LRA's Transformer sizes for `task` (see tasks.py for the config files they come from)."""
    t = get_task(task)
    return ModelConfig(t.emb_dim, t.num_heads, t.num_layers, t.qkv_dim, t.mlp_dim, t.dropout, t.attention_dropout,
                       t.learned_pos_emb, t.cls_token, t.pooling)


def build_classifier(task: str, cfg: ModelConfig, max_length: int) -> SequenceClassifier:
    t = get_task(task)
    encoder = TransformerEncoder(
        t.vocab_size, max_length, cfg.emb_dim, cfg.num_heads, cfg.num_layers, cfg.qkv_dim, cfg.mlp_dim,
        cfg.dropout, cfg.attention_dropout, cfg.learned_pos_emb, cfg.cls_token,
    )
    return SequenceClassifier(encoder, cfg.emb_dim, t.num_classes, cfg.mlp_dim, cfg.pooling, t.dual, cfg.interaction)
