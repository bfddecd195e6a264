"""Text + media -> model inputs, as the original `CaptionTensorizer` (attn_mask_type 'learn_vid_att', mode 'default').

Sequence layout: [CLS] tokens [SEP] [PAD]... (max_seq_len) followed by max_img_seq_len media tokens.
Attention: text -> text causal, text -> media full, media -> media full, media -> text none.
Training masks ~mask_prob of the text tokens (80% [MASK], 10% random, 10% kept; [CLS] never).
"""

from __future__ import annotations

import random

import torch


class CaptionTensorizer:
    def __init__(self, tokenizer, max_img_seq_length: int, max_seq_length: int, mask_prob: float = 0.25,
                 max_masked_tokens: int = 75, is_train: bool = True, rng: random.Random | None = None) -> None:
        self.tok = tokenizer
        self.max_img_seq_len = max_img_seq_length
        self.max_seq_len = max_seq_length
        self.mask_prob = mask_prob
        self.max_masked_tokens = max_masked_tokens
        self.is_train = is_train
        self.rng = rng or random.Random()
        self.triangle = torch.tril(torch.ones(max_seq_length, max_seq_length, dtype=torch.long))

    def attention_mask(self, seq_len: int) -> torch.Tensor:
        n = self.max_seq_len + self.max_img_seq_len
        mask = torch.zeros(n, n, dtype=torch.long)
        mask[:seq_len, :seq_len] = self.triangle[:seq_len, :seq_len]
        mask[:seq_len, self.max_seq_len:] = 1
        mask[self.max_seq_len:, self.max_seq_len:] = 1
        return mask

    def __call__(self, text: str) -> dict[str, torch.Tensor]:
        tok = self.tok
        if self.is_train:
            words = tok.tokenize(text)[: self.max_seq_len - 2]
        else:  # placeholders that fix the mask shape for generation
            words = [tok.mask_token] * (self.max_seq_len - 2)
        tokens = [tok.cls_token, *words, tok.sep_token]
        seq_len = len(tokens)
        raw = list(tokens)
        if self.is_train:
            num = int(min(max(round(self.mask_prob * seq_len), 1), self.max_masked_tokens))
            candidates = list(range(1, seq_len))
            self.rng.shuffle(candidates)
            masked_idx = sorted(candidates[:num])
            masked_tokens = [tokens[i] for i in masked_idx]
            for i in masked_idx:
                if self.rng.random() <= 0.8:
                    tokens[i] = tok.mask_token
                elif self.rng.random() <= 0.5:
                    tokens[i] = tok.convert_ids_to_tokens(self.rng.randint(0, len(tok.vocab) - 1))
            masked_pos = torch.zeros(self.max_seq_len, dtype=torch.long)
            masked_pos[masked_idx] = 1
            targets = tok.convert_tokens_to_ids(masked_tokens)
            masked_ids = torch.tensor(targets + [-1] * (self.max_masked_tokens - len(targets)), dtype=torch.long)
        else:
            masked_pos = torch.ones(self.max_seq_len, dtype=torch.long)
            masked_ids = torch.full((self.max_masked_tokens,), -1, dtype=torch.long)
        pad = self.max_seq_len - seq_len
        ids = tok.convert_tokens_to_ids(tokens + [tok.pad_token] * pad)
        out_ids = tok.convert_tokens_to_ids(raw[1:] + [tok.pad_token] * (pad + 1))
        return {
            "input_ids": torch.tensor(ids, dtype=torch.long),
            "token_type_ids": torch.zeros(self.max_seq_len, dtype=torch.long),
            "attention_mask": self.attention_mask(seq_len),
            "masked_pos": masked_pos,
            "masked_ids": masked_ids,
            "output_token_ids": torch.tensor(out_ids, dtype=torch.long),
        }
