"""Sequence classification over any encoder `(tokens, padding_mask) -> features (b, n', d)`.

Heads as LRA's common_layers: one sequence -> pool -> Dense(mlp_dim) -> ReLU -> Dense(classes);
two sequences (Retrieval, dual encoder: one shared encoder, no cross attention) -> pool each ->
combine -> Dense(mlp_dim) -> ReLU -> Dense(mlp_dim // 2) -> ReLU -> Dense(classes).
Combination `nli` is [u, v, u * v, u - v] (LRA's interaction='NLI', which OpenNLPLab/lra's S4-style
retrieval decoder uses); `concat` is [u, v], the default of the google-research Transformer config.

Pooling: `cls` takes position 0 of the features (the CLS token when the encoder prepends one;
LRA's dual encoder has none and so pools the first byte); `mean` averages over all positions,
padding included, exactly as LRA's MEAN; `masked_mean` averages over real tokens only.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

Pooling = Literal["cls", "mean", "masked_mean", "last"]
Interaction = Literal["nli", "concat"]


def pool(features: torch.Tensor, padding_mask: torch.Tensor, mode: Pooling) -> torch.Tensor:
    """(b, n', d) -> (b, d); a mask shorter than the features by one means a CLS token was prepended."""
    if mode == "cls":
        return features[:, 0]
    if mode == "last":  # the final position (Pathfinder images have no padding)
        return features[:, -1]
    if mode == "mean":
        return features.mean(dim=1)
    if padding_mask.shape[1] == features.shape[1] - 1:
        padding_mask = torch.cat([padding_mask.new_zeros(padding_mask.shape[0], 1), padding_mask], dim=1)
    keep = (~padding_mask).unsqueeze(-1).to(features.dtype)  # b, n', 1
    return (features * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1.0)


class SequenceClassifier(nn.Module):
    def __init__(
        self,
        encoder: nn.Module,
        feature_dim: int,
        num_classes: int,
        mlp_dim: int,
        pooling: Pooling = "cls",
        dual: bool = False,
        interaction: Interaction = "nli",
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.pooling = pooling
        self.dual = dual
        self.interaction = interaction
        if dual:
            width = feature_dim * (4 if interaction == "nli" else 2)
            self.head = nn.Sequential(
                nn.Linear(width, mlp_dim), nn.ReLU(), nn.Linear(mlp_dim, mlp_dim // 2), nn.ReLU(),
                nn.Linear(mlp_dim // 2, num_classes),
            )
        else:
            self.head = nn.Sequential(nn.Linear(feature_dim, mlp_dim), nn.ReLU(), nn.Linear(mlp_dim, num_classes))

    def embed(self, tokens: torch.Tensor, padding_mask: torch.Tensor) -> torch.Tensor:
        return pool(self.encoder(tokens, padding_mask), padding_mask, self.pooling)  # b, d

    def forward(
        self,
        tokens: torch.Tensor,
        padding_mask: torch.Tensor,
        tokens2: torch.Tensor | None = None,
        padding_mask2: torch.Tensor | None = None,
    ) -> torch.Tensor:
        u = self.embed(tokens, padding_mask)
        if not self.dual:
            return self.head(u)  # b, classes
        if tokens2 is None or padding_mask2 is None:
            raise ValueError("a dual-encoder classifier needs tokens2 and padding_mask2")
        v = self.embed(tokens2, padding_mask2)
        both = torch.cat([u, v, u * v, u - v] if self.interaction == "nli" else [u, v], dim=-1)
        return self.head(both)


def classifier_inputs(batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, ...]:
    """The positional inputs of `SequenceClassifier.forward` for a batch from shared.lra.batching.

    Callers pass them through `model(...)` rather than a helper method, so that a
    DistributedDataParallel wrapper sees the forward pass and synchronises gradients.
    """
    if "tokens1" in batch:
        return batch["tokens1"], batch["padding_mask1"], batch["tokens2"], batch["padding_mask2"]
    return batch["tokens"], batch["padding_mask"]
