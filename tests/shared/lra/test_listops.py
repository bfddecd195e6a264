"""ListOps: the generator writes LRA's format, its labels are the expressions' values, the reader reads it back."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch

from shared.lra.batching import FixedLengthCollate
from shared.lra.listops import ListOpsDataset, read_listops_tsv
from shared.lra.listops_generator import generate_listops, generate_tree, to_string
from shared.lra.vocab import LISTOPS_IDS, LISTOPS_VOCAB_SIZE, encode_listops, listops_tokens


def independent_value(source: str) -> tuple[int, int]:
    """Evaluate a printed expression with a token stack; returns (value, tree depth)."""
    stack: list[list] = []
    depth = max_depth = 0
    result = None
    for tok in source.replace("(", " ").replace(")", " ").split():
        if tok.startswith("["):
            stack.append([tok])
            depth += 1
            max_depth = max(max_depth, depth)
        elif tok == "]":
            op, *args = stack.pop()
            depth -= 1
            if op == "[MIN":
                value = min(args)
            elif op == "[MAX":
                value = max(args)
            elif op == "[MED":
                s = sorted(args)
                value = s[len(s) // 2] if len(s) % 2 else int((s[len(s) // 2 - 1] + s[len(s) // 2]) / 2)
            else:
                assert op == "[SM"
                value = sum(args) % 10
            if stack:
                stack[-1].append(value)
            else:
                result = value
        else:
            value = int(tok)
            if stack:
                stack[-1].append(value)
            else:
                result = value
    assert not stack and result is not None
    return result, max_depth


def test_hand_written_examples_match_lra_tokenization_and_values() -> None:
    source = "( ( ( [MAX 2 ) 9 ) ] )"  # how LRA's to_string prints MAX(2, 9)
    assert listops_tokens(source) == ["[MAX", "2", "9", "X"]
    assert encode_listops(source) == [LISTOPS_IDS["[MAX"], LISTOPS_IDS["2"], LISTOPS_IDS["9"], LISTOPS_IDS["X"]]
    assert LISTOPS_VOCAB_SIZE == 17  # 15 tokens + padding + unknown, as LRA's TokenTextEncoder
    assert independent_value(source) == (9, 1)
    assert independent_value("( ( ( ( ( [MED 1 ) 2 ) 6 ) 7 ) ] )")[0] == 4  # int(np.median([1, 2, 6, 7]))
    assert independent_value("[SM 5 ( [MIN 3 4 ] ) 9 ]")[0] == 7


def test_printed_tree_has_lra_parenthesisation() -> None:
    rng = random.Random(3)
    tree, length = generate_tree(rng, 1, 1, 4)  # at max depth the root is a digit
    assert isinstance(tree, int) and length == 1
    seed = next(s for s in range(100) if isinstance(generate_tree(random.Random(s), 1, 2, 3)[0], tuple))
    tree, length = generate_tree(random.Random(seed), 1, 2, 3)
    text = to_string(tree)
    assert text.startswith("( ( ") and text.endswith(" ] )")
    assert len(listops_tokens(text)) == length


def test_generator_writes_layout_and_values_equal_labels(tmp_path: Path) -> None:
    paths = generate_listops(tmp_path, 60, 10, 10, max_depth=4, max_args=4, min_length=5, max_length=40, seed=1)
    assert {p.name for p in paths.values()} == {"basic_train.tsv", "basic_val.tsv", "basic_test.tsv"}
    raw = paths["train"].read_bytes()
    assert raw.startswith(b"Source\tTarget\r\n")
    sources = []
    for split, n in (("train", 60), ("val", 10), ("test", 10)):
        rows = read_listops_tsv(paths[split])
        assert len(rows) == n
        for source, label in rows:
            value, depth = independent_value(source)
            assert value == label
            assert depth <= 3  # max_depth 4 counts the leaf digits' level
            assert 5 < len(listops_tokens(source)) < 40
            sources.append(source)
    assert len(set(sources)) == 80  # distinct trees across splits
    ds = ListOpsDataset(tmp_path, "train", max_length=40)
    assert len(ds) == 60 and ds[0]["ids"].dtype == torch.long
    assert ds[0]["ids"].tolist() == encode_listops(read_listops_tsv(paths["train"])[0][0])


def test_truncation_and_padding_to_fixed_length(tmp_path: Path) -> None:
    generate_listops(tmp_path, 20, 2, 2, max_depth=4, max_args=5, min_length=12, max_length=40, seed=2)
    ds = ListOpsDataset(tmp_path, "train", max_length=10)
    assert all(len(ds[i]["ids"]) == 10 for i in range(len(ds)))  # every example has > 12 tokens: cut to 10
    batch = FixedLengthCollate(16)([ds[0], ds[1]])
    assert batch["tokens"].shape == (2, 16) and batch["padding_mask"].shape == (2, 16)
    assert batch["padding_mask"][:, :10].logical_not().all() and batch["padding_mask"][:, 10:].all()
    assert (batch["tokens"][:, 10:] == 0).all()


def test_truncated_tsv_names_file_and_line(tmp_path: Path) -> None:
    generate_listops(tmp_path, 5, 2, 2, max_depth=3, max_args=3, min_length=3, max_length=20, seed=0)
    path = tmp_path / "basic_train.tsv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1] + [lines[-1].split("\t")[0][:9]]) + "\n")  # last row cut mid-expression
    with pytest.raises(ValueError, match=r"basic_train\.tsv:6: expected 2 tab-separated columns"):
        ListOpsDataset(tmp_path, "train")
    path.write_text("\n".join(lines[:-1] + [lines[-1].split("\t")[0] + "\tseven"]) + "\n")
    with pytest.raises(ValueError, match=r"basic_train\.tsv:6: label 'seven'"):
        ListOpsDataset(tmp_path, "train")


def test_missing_folder_and_file_are_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere"):
        ListOpsDataset(tmp_path / "nowhere", "train")
    with pytest.raises(FileNotFoundError, match=r"basic_val\.tsv"):
        ListOpsDataset(tmp_path, "val")
