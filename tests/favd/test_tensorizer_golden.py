"""The tensorizer and the tokenizer's decoding against the original's (golden/tensorizer_golden.pt, made by
golden/make_golden_tensorizer.py from OpenNLPLab/FAVDBench at 061c3ea): same paragraphs, same seeds, every tensor
equal. The cases cover the paper's masking rate, truncation, HTML entities, emoji, [UNK], random replacement words,
and next-token targets read from the masked list (the original's aliasing)."""

import random
from pathlib import Path

import pytest
import torch

from favd.tensorize import CaptionTensorizer, clean_text
from favd.tokenizer import WordPiece
from shared.testing import GoldenFiles

GOLDEN = GoldenFiles(Path(__file__).parent / "golden")["tensorizer_golden.pt"]
KEYS = ("input_ids", "attention_mask", "token_type_ids", "masked_pos", "masked_ids", "output_token_ids")


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> WordPiece:
    path = tmp_path_factory.mktemp("vocab") / "vocab.txt"
    path.write_text("\n".join(GOLDEN["vocab"]) + "\n")
    return WordPiece(path)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: f"text{c['text']}-seed{c['seed']}")
def test_training_tensors_equal_the_originals(case: dict, tokenizer: WordPiece) -> None:
    text = GOLDEN["texts"][case["text"]]
    assert tokenizer.tokenize(clean_text(text)) == case["tokens"]
    tz = CaptionTensorizer(tokenizer, GOLDEN["img_seq_len"], case["max_seq_length"], case["mask_prob"],
                           case["max_masked_tokens"], is_train=True, rng=random.Random(case["seed"]))
    out = tz(text)
    for key in KEYS:
        assert out[key].tolist() == case[key].tolist(), key


def test_the_golden_cases_exercise_what_they_claim() -> None:
    """Masked or random words among the next-token targets, truncation, emoji and entities in the texts."""
    mask_id = GOLDEN["vocab"].index("[MASK]")
    targets = torch.cat([c["output_token_ids"] for c in GOLDEN["cases"]])
    assert (targets == mask_id).sum() > 50
    assert any(len(c["tokens"]) + 2 > c["max_seq_length"] for c in GOLDEN["cases"])
    assert any("&amp;" in t for t in GOLDEN["texts"]) and any("\U0001F600" in t for t in GOLDEN["texts"])


def test_clean_targets_option_reads_the_unmasked_text(tokenizer: WordPiece) -> None:
    case = GOLDEN["cases"][0]
    tz = CaptionTensorizer(tokenizer, GOLDEN["img_seq_len"], case["max_seq_length"], case["mask_prob"],
                           case["max_masked_tokens"], rng=random.Random(case["seed"]), lm_targets="clean")
    out = tz(GOLDEN["texts"][0])
    words = tokenizer.convert_tokens_to_ids(case["tokens"][: case["max_seq_length"] - 2] + ["[SEP]"])
    assert out["output_token_ids"][: len(words)].tolist() == words
    assert out["input_ids"].tolist() == case["input_ids"].tolist()


def test_generation_tensors_and_decoding_equal_the_originals(tokenizer: WordPiece) -> None:
    t = GOLDEN["test"]
    out = CaptionTensorizer(tokenizer, GOLDEN["img_seq_len"], t["max_seq_length"], is_train=False)("")
    for key in ("input_ids", "attention_mask", "masked_pos"):
        assert out[key].tolist() == t[key].tolist(), key
    d = GOLDEN["decode"]
    assert [tokenizer.decode(ids) for ids in d["ids"]] == d["text"]  # [UNK] dropped, as skip_special_tokens does
