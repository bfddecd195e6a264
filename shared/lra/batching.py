"""Fixed-length padding of LRA examples into batches.

LRA pads every batch to the task's fixed maximum length (`padded_batch(padded_shapes=[max_length])`)
after truncating each sequence to its first `max_length` tokens. A batch here is a dict:

    tokens        long (b, n)   token ids, PAD_ID (0) at padding
    padding_mask  bool (b, n)   True at padding positions, False at real tokens
    label         long (b,)
Retrieval examples carry two documents: `tokens1/padding_mask1` and `tokens2/padding_mask2`.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from shared.lra.vocab import PAD_ID


def pad_to_length(ids: Sequence[int] | torch.Tensor, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Truncate to `length` tokens (keeping the first ones) and right-pad with PAD_ID.

    Returns the token ids (n,) and the padding mask (n,), True at padding.
    """
    ids = torch.as_tensor(ids, dtype=torch.long)[:length]
    tokens = torch.full((length,), PAD_ID, dtype=torch.long)
    tokens[: len(ids)] = ids
    mask = torch.ones(length, dtype=torch.bool)
    mask[: len(ids)] = False
    return tokens, mask


class FixedLengthCollate:
    """Collate dicts of `ids*` (1-d sequences) and `label` into padded batches of one fixed length."""

    def __init__(self, max_length: int) -> None:
        self.max_length = max_length

    def __call__(self, examples: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
        batch: dict[str, torch.Tensor] = {"label": torch.stack([torch.as_tensor(e["label"]) for e in examples])}
        for key in examples[0]:
            if not key.startswith("ids"):
                continue
            suffix = key[3:]  # "" for one sequence, "1"/"2" for Retrieval
            padded = [pad_to_length(e[key], self.max_length) for e in examples]
            batch["tokens" + suffix] = torch.stack([t for t, _ in padded])  # b, n
            batch["padding_mask" + suffix] = torch.stack([m for _, m in padded])  # b, n
        return batch
