"""Text + media -> model inputs, as the original `CaptionTensorizer` (attn_mask_type 'learn_vid_att', mode 'default').

Sequence layout: [CLS] tokens [SEP] [PAD]... (max_seq_len) followed by max_img_seq_len media tokens.
Attention: text -> text causal, text -> media full, media -> media full, media -> text none.
Training masks ~mask_prob of the text tokens (80% [MASK], 10% a random vocabulary entry, 10% kept; [CLS] never),
drawing from `rng` in the original's order (shuffle, then per position one or two uniforms and the random id).

Next-token targets (`output_token_ids`): the original masks its token list in place and then reads the targets
from that same list (`raw_tokens = tokens` aliases it), so the targets at masked positions are [MASK] or a random
word (`lm_targets="masked"`, the default, what the paper's numbers come from); `lm_targets="clean"` reads them
from the text before masking.
"""

from __future__ import annotations

import html
import random
import re

import torch

# the original's emoji ranges (emoticons, pictographs, transport, flags), removed before tokenisation
EMOJI = re.compile("[\U0001F600-\U0001F64F\U0001F300-\U0001F5FF\U0001F680-\U0001F6FF\U0001F1E0-\U0001F1FF]+")
LM_TARGETS = ("masked", "clean")


def clean_text(text: str) -> str:
    """HTML entities unescaped and emoji removed, as the original does before tokenising."""
    return EMOJI.sub("", html.unescape(text))


class CaptionTensorizer:
    def __init__(self, tokenizer, max_img_seq_length: int, max_seq_length: int, mask_prob: float = 0.25,
                 max_masked_tokens: int = 75, is_train: bool = True, rng: random.Random | None = None,
                 lm_targets: str = "masked") -> None:
        if lm_targets not in LM_TARGETS:
            raise ValueError(f"data.lm_targets: expected one of {LM_TARGETS}, got {lm_targets!r}")
        self.tok = tokenizer
        self.max_img_seq_len = max_img_seq_length
        self.max_seq_len = max_seq_length
        self.mask_prob = mask_prob
        self.max_masked_tokens = max_masked_tokens
        self.is_train = is_train
        self.lm_targets = lm_targets
        self.rng = rng or random.Random()
        self.triangle = torch.tril(torch.ones(max_seq_length, max_seq_length, dtype=torch.long))

    def attention_mask(self, seq_len: int) -> torch.Tensor:
        n = self.max_seq_len + self.max_img_seq_len
        mask = torch.zeros(n, n, dtype=torch.long)
        mask[:seq_len, :seq_len] = self.triangle[:seq_len, :seq_len]
        mask[:seq_len, self.max_seq_len:] = 1
        mask[self.max_seq_len:, self.max_seq_len:] = 1
        return mask

    def random_token(self) -> str:
        """The original's `get_random_token`: an id in [0, len(vocab)] inclusive; the one past the end is [UNK]."""
        i = self.rng.randint(0, len(self.tok.vocab))
        return self.tok.convert_ids_to_tokens(i) if i < len(self.tok.vocab) else self.tok.unk_token

    def mask_tokens(self, tokens: list[str]) -> tuple[list[int], list[str]]:
        """Mask `tokens` in place; returns the masked positions and the tokens that were there."""
        seq_len = len(tokens)
        num = int(min(max(round(self.mask_prob * seq_len), 1), self.max_masked_tokens))
        candidates = list(range(1, seq_len))
        self.rng.shuffle(candidates)
        masked_idx = sorted(candidates[:num])
        originals = [tokens[i] for i in masked_idx]
        for i in masked_idx:
            if self.rng.random() <= 0.8:
                tokens[i] = self.tok.mask_token
            elif self.rng.random() <= 0.5:
                tokens[i] = self.random_token()
        return masked_idx, originals

    def __call__(self, text: str) -> dict[str, torch.Tensor]:
        tok = self.tok
        if self.is_train:
            words = tok.tokenize(clean_text(text))[: self.max_seq_len - 2]
        else:  # placeholders that fix the mask shape for generation
            words = [tok.mask_token] * (self.max_seq_len - 2)
        tokens = [tok.cls_token, *words, tok.sep_token]
        seq_len = len(tokens)
        clean = list(tokens)
        if self.is_train:
            masked_idx, originals = self.mask_tokens(tokens)
            masked_pos = torch.zeros(self.max_seq_len, dtype=torch.long)
            masked_pos[masked_idx] = 1
            targets = tok.convert_tokens_to_ids(originals)
            masked_ids = torch.tensor(targets + [-1] * (self.max_masked_tokens - len(targets)), dtype=torch.long)
        else:
            masked_pos = torch.ones(self.max_seq_len, dtype=torch.long)
            masked_ids = torch.full((self.max_masked_tokens,), -1, dtype=torch.long)
        pad = self.max_seq_len - seq_len
        ids = tok.convert_tokens_to_ids(tokens + [tok.pad_token] * pad)
        source = tokens if self.lm_targets == "masked" else clean
        out_ids = tok.convert_tokens_to_ids(source[1:] + [tok.pad_token] * (pad + 1))
        return {
            "input_ids": torch.tensor(ids, dtype=torch.long),
            "token_type_ids": torch.zeros(self.max_seq_len, dtype=torch.long),
            "attention_mask": self.attention_mask(seq_len),
            "masked_pos": masked_pos,
            "masked_ids": masked_ids,
            "output_token_ids": torch.tensor(out_ids, dtype=torch.long),
        }
