"""BERT uncased WordPiece tokenisation (bert-base-uncased vocab.txt), through the `tokenizers` library.

Text clean-up before tokenising (HTML unescape, emoji removal) is the tensorizer's, as in the original.

The methods are the ones the original `BertTokenizer` offers to the tensorizer and to decoding.
"""

from __future__ import annotations

from pathlib import Path

from tokenizers import BertWordPieceTokenizer


class WordPiece:
    cls_token, sep_token, pad_token, mask_token, unk_token = "[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]"

    def __init__(self, vocab_file: str | Path, lowercase: bool = True) -> None:
        path = Path(vocab_file)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: BERT vocab file not found (bert-base-uncased/vocab.txt, one token a line)")
        self._tok = BertWordPieceTokenizer(str(path), lowercase=lowercase)
        self.vocab = self._tok.get_vocab()
        for t in (self.cls_token, self.sep_token, self.pad_token, self.mask_token, self.unk_token):
            if t not in self.vocab:
                raise ValueError(f"{path}: special token {t} missing from the vocabulary")
        # skipped on decode, as the original's `decode(skip_special_tokens=True)`: [UNK] is one of its special tokens
        self.special_ids = {self.vocab[t] for t in (self.cls_token, self.sep_token, self.pad_token, self.mask_token,
                                                    self.unk_token)}

    def tokenize(self, text: str) -> list[str]:
        return self._tok.encode(text, add_special_tokens=False).tokens

    def convert_tokens_to_ids(self, tokens: list[str]) -> list[int]:
        unk = self.vocab[self.unk_token]
        return [self.vocab.get(t, unk) for t in tokens]

    def convert_ids_to_tokens(self, i: int) -> str:
        return self._tok.id_to_token(i)

    def id(self, token: str) -> int:
        return self.vocab[token]

    def decode(self, ids: list[int]) -> str:
        """Skip the special tokens ([UNK] too) and join WordPieces (as `BertTokenizer.decode(skip_special_tokens=True)`)."""
        words = [self._tok.id_to_token(i) for i in ids if i not in self.special_ids]
        return clean_up_tokenization(" ".join(words).replace(" ##", "").strip())


def clean_up_tokenization(text: str) -> str:
    """The original tokenizer's clean-up of spaces before punctuation and contractions."""
    for a, b in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
                 (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):
        text = text.replace(a, b)
    return text
