"""Token ids of the LRA tasks, with id 0 reserved for padding everywhere (as the LRA input pipelines do).

ListOps (lra_benchmarks/listops/input_pipeline.py): the source string loses its parentheses, `]`
becomes `X`, and the rest is split on whitespace. LRA builds a `TokenTextEncoder` from the tokens it
sees in the validation file, so its ids follow Python's set order (not reproducible run to run); we
fix one order instead. Sizes agree: 15 tokens + padding (0) + one out-of-vocabulary id = 17.

Text and Retrieval (tfds `ByteTextEncoder`): each UTF-8 byte b becomes id b + 1; 0 is padding, so
the vocabulary has 257 ids. Image and Pathfinder: the pixel value 0..255 is the token (256 ids).
"""

from __future__ import annotations

PAD_ID = 0

LISTOPS_OPERATORS = ("[MIN", "[MAX", "[MED", "[SM")  # the generator's OPERATORS (FIRST/LAST unused)
LISTOPS_CLOSE = "X"  # `]` after LRA's renaming
LISTOPS_TOKENS = (*LISTOPS_OPERATORS, LISTOPS_CLOSE, *(str(v) for v in range(10)))
LISTOPS_IDS = {tok: i + 1 for i, tok in enumerate(LISTOPS_TOKENS)}  # 1..15
LISTOPS_UNK_ID = len(LISTOPS_TOKENS) + 1  # 16
LISTOPS_VOCAB_SIZE = len(LISTOPS_TOKENS) + 2  # 17: padding, 15 tokens, unknown

BYTE_VOCAB_SIZE = 257
PIXEL_VOCAB_SIZE = 256


def listops_tokens(source: str) -> list[str]:
    """LRA's ListOps tokenization: drop `(` and `)`, rename `]` to `X`, split on whitespace."""
    return source.replace("(", "").replace(")", "").replace("]", LISTOPS_CLOSE).split()


def encode_listops(source: str) -> list[int]:
    return [LISTOPS_IDS.get(tok, LISTOPS_UNK_ID) for tok in listops_tokens(source)]


def encode_bytes(text: str | bytes) -> list[int]:
    """tfds ByteTextEncoder: UTF-8 bytes shifted by one, so that 0 stays free for padding."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return [b + 1 for b in data]
