"""The BERT-base multimodal transformer of AVLFormer (SwinBERT's `BertForImageCaptioning`).

Text tokens and projected video+audio tokens are concatenated and encoded by one post-LN BERT;
the LM head predicts words at the text positions. Names follow the original so checkpoints load by name.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from favd.config import BertSettings


def gelu(x: torch.Tensor) -> torch.Tensor:
    return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


class BertEmbeddings(nn.Module):
    def __init__(self, cfg: BertSettings) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg.vocab_size, cfg.hidden_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        self.token_type_embeddings = nn.Embedding(cfg.type_vocab_size, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor,
                position_ids: torch.Tensor) -> torch.Tensor:
        x = self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(x + self.token_type_embeddings(token_type_ids)))


class BertSelfAttention(nn.Module):
    def __init__(self, cfg: BertSettings) -> None:
        super().__init__()
        self.num_heads = cfg.num_attention_heads
        self.query = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.key = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.value = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.dropout = nn.Dropout(cfg.attention_probs_dropout_prob)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        return x.view(b, n, self.num_heads, d // self.num_heads).transpose(1, 2)  # b, h, n, dh

    def kv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self._heads(self.key(x)), self._heads(self.value(x))

    def forward(self, x: torch.Tensor, bias: torch.Tensor,
                extra_kv: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
        """extra_kv: keys/values of tokens appended after x's own (cached media tokens), (b, h, m, dh) each."""
        q, k, v = self._heads(self.query(x)), self._heads(self.key(x)), self._heads(self.value(x))
        if extra_kv is not None:
            k, v = torch.cat([k, extra_kv[0]], dim=2), torch.cat([v, extra_kv[1]], dim=2)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias,
                                             dropout_p=self.dropout.p if self.training else 0.0)
        return out.transpose(1, 2).reshape(x.shape)


class BertResidual(nn.Module):
    """dense -> dropout -> LayerNorm(x + residual): BertSelfOutput and BertOutput."""

    def __init__(self, d_in: int, cfg: BertSettings) -> None:
        super().__init__()
        self.dense = nn.Linear(d_in, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class BertAttention(nn.Module):
    def __init__(self, cfg: BertSettings) -> None:
        super().__init__()
        self.self = BertSelfAttention(cfg)
        self.output = BertResidual(cfg.hidden_size, cfg)


class BertIntermediate(nn.Module):
    def __init__(self, cfg: BertSettings) -> None:
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.intermediate_size)


class BertLayer(nn.Module):
    def __init__(self, cfg: BertSettings) -> None:
        super().__init__()
        self.attention = BertAttention(cfg)
        self.intermediate = BertIntermediate(cfg)
        self.output = BertResidual(cfg.intermediate_size, cfg)

    def forward(self, x: torch.Tensor, bias: torch.Tensor,
                extra_kv: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
        a = self.attention.output(self.attention.self(x, bias, extra_kv), x)
        return self.output(gelu(self.intermediate.dense(a)), a)


class BertEncoder(nn.Module):
    def __init__(self, cfg: BertSettings) -> None:
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(cfg) for _ in range(cfg.num_hidden_layers)])


class BertPooler(nn.Module):
    """Kept for checkpoint compatibility; captioning never reads the pooled output."""

    def __init__(self, cfg: BertSettings) -> None:
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.hidden_size)


class BertImgModel(nn.Module):
    def __init__(self, cfg: BertSettings) -> None:
        super().__init__()
        self.embeddings = BertEmbeddings(cfg)
        self.encoder = BertEncoder(cfg)
        self.pooler = BertPooler(cfg)
        self.img_embedding = nn.Linear(cfg.img_feature_dim, cfg.hidden_size)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor, img_feats: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None, position_ids: torch.Tensor | None = None) -> torch.Tensor:
        """input_ids (b, n), img_feats (b, m, img_dim), attention_mask (b, n+m, n+m) of [0, 1] -> (b, n+m, d)."""
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        if position_ids is None:
            position_ids = torch.arange(input_ids.shape[1], device=input_ids.device).expand_as(input_ids)
        dtype = self.img_embedding.weight.dtype
        # soft masks (the learned video attention) pass through as (1 - m) * -10000, as in the original
        bias = ((1.0 - attention_mask.to(dtype)) * -10000.0).unsqueeze(1)  # b, 1, n+m, n+m
        x = self.embeddings(input_ids, token_type_ids, position_ids)
        x = torch.cat([x, self.dropout(self.img_embedding(img_feats))], dim=1)
        for layer in self.encoder.layer:
            x = layer(x, bias)
        return x

    def media_cache(self, img_feats: torch.Tensor, media_mask: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Per-layer keys/values of the media tokens alone. Exact when media tokens attend to no text token
        (the seq2seq mask): their states then never depend on the text. media_mask (b, m, m)."""
        bias = ((1.0 - media_mask.to(self.img_embedding.weight.dtype)) * -10000.0).unsqueeze(1)
        h = self.dropout(self.img_embedding(img_feats))
        cache = []
        for layer in self.encoder.layer:
            cache.append(layer.attention.self.kv(h))
            h = layer(h, bias)
        return cache

    def forward_text(self, input_ids: torch.Tensor, cache: list[tuple[torch.Tensor, torch.Tensor]],
                     text_mask: torch.Tensor, token_type_ids: torch.Tensor, position_ids: torch.Tensor) -> torch.Tensor:
        """Text states given cached media keys/values; text_mask (b, n, n + m) are the text rows of the full mask."""
        bias = ((1.0 - text_mask.to(self.img_embedding.weight.dtype)) * -10000.0).unsqueeze(1)
        x = self.embeddings(input_ids, token_type_ids, position_ids)
        for layer, kv in zip(self.encoder.layer, cache, strict=True):
            x = layer(x, bias, kv)
        return x


class BertLMPredictionHead(nn.Module):
    def __init__(self, cfg: BertSettings) -> None:
        super().__init__()
        self.transform = nn.Module()
        self.transform.dense = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.transform.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.decoder = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(cfg.vocab_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.transform.LayerNorm(gelu(self.transform.dense(x)))
        return self.decoder(x) + self.bias


class BertIFPredictionHead(nn.Module):
    """An image-feature head the original builds (and checkpoints) but never uses in its losses."""

    def __init__(self, cfg: BertSettings) -> None:
        super().__init__()
        self.transform = nn.Module()
        self.transform.dense = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.transform.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.decoder = nn.Linear(cfg.hidden_size, 2048, bias=False)
        self.bias = nn.Parameter(torch.zeros(2048))


class BertForCaptioning(nn.Module):
    def __init__(self, cfg: BertSettings) -> None:
        super().__init__()
        self.cfg = cfg
        self.bert = BertImgModel(cfg)
        self.cls = nn.Module()
        self.cls.predictions = BertLMPredictionHead(cfg)
        self.cls_img_feat = BertIFPredictionHead(cfg)
        self.apply(self._init_weights)

    def _init_weights(self, m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            m.weight.data.normal_(0.0, self.cfg.initializer_range)
        elif isinstance(m, nn.LayerNorm):
            m.bias.data.zero_()
            m.weight.data.fill_(1.0)
        if isinstance(m, nn.Linear) and m.bias is not None:
            m.bias.data.zero_()

    def forward(self, input_ids: torch.Tensor, img_feats: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None, position_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Word logits at the text positions: (b, n, vocab)."""
        hidden = self.bert(input_ids, img_feats, attention_mask, token_type_ids, position_ids)
        return self.cls.predictions(hidden[:, : input_ids.shape[1]])
