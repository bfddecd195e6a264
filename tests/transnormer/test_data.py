"""The WikiText reader on a generated corpus in the official layout, and its errors."""

from pathlib import Path

import pytest
import torch

from transnormer.data import EOS, UNK, DataError, Dictionary, load_dictionary, load_split
from transnormer.synthetic import generate_corpus


def test_generated_corpus_reads_like_fairseq(tmp_path: Path) -> None:
    root = generate_corpus(tmp_path, lines=(40, 5, 5))
    d = load_dictionary(root)
    assert len(d) % 8 == 0 and d.symbols[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    lines = (root / "wiki.valid.tokens").read_text().splitlines()
    stream = d.encode_file(root / "wiki.valid.tokens")
    assert int((stream == EOS).sum()) == len(lines)  # one </s> per line, blank lines included
    torch.testing.assert_close(load_split(root, "valid", d), stream)


def test_unknown_words_map_to_unk(tmp_path: Path) -> None:
    (tmp_path / "wiki.train.tokens").write_text(" a b a \n")
    (tmp_path / "wiki.valid.tokens").write_text(" a zzz \n")
    d = Dictionary.build([tmp_path / "wiki.train.tokens"])
    assert d.encode_file(tmp_path / "wiki.valid.tokens").tolist() == [d.index["a"], UNK, EOS]


def test_dict_txt_round_trip_and_bad_line(tmp_path: Path) -> None:
    d = Dictionary(["the", "of"])
    d.save(tmp_path / "dict.txt")
    assert Dictionary.load(tmp_path / "dict.txt").symbols == d.symbols
    (tmp_path / "dict.txt").write_text("the 10\nbroken\n")
    with pytest.raises(DataError, match=r"dict.txt:2: expected '<symbol> <count>'"):
        Dictionary.load(tmp_path / "dict.txt")


def test_missing_split_names_file_and_command(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"wiki.train.tokens does not exist.*transnormer.prepare"):
        load_dictionary(tmp_path)

