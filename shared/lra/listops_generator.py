"""ListOps generator, re-implemented from LRA's published grammar (lra_benchmarks/data/listops.py).

    python -m shared.lra.listops_generator OUT_DIR [--num-train 96000 --num-val 2000 --num-test 2000
        --max-depth 10 --max-args 10 --min-length 500 --max-length 2000 --seed 0]
writes OUT_DIR/<task>_{train,val,test}.tsv in LRA's format. The defaults are LRA's flags.

Grammar (as in LRA): a node at depth < max_depth is an operator with probability 0.25, else a digit
0..9; at max_depth it is always a digit. An operator (MIN, MAX, MED, SM = sum mod 10) takes
2..max_args arguments. The tree is nested left-to-right as ((((op a1) a2) ...) ]) and printed with
parentheses around every pair, e.g. `( ( ( [MAX 2 ) 9 ) ] )` = 9. An expression's length counts
operators, digits and `]` (not parentheses), which is its token count after LRA's tokenization; LRA
keeps trees with min_length < length < max_length (strict) and distinct trees only. MED of an even
count is int(np.median), the mean of the two middle values rounded down.

Differences: LRA splits the distinct trees in Python set order (hash-seed dependent); we keep
generation order, seeded, so a run is reproducible. Splits: the first num_train trees, then val,
then test, as LRA slices them.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path
from typing import Union

from shared.lra.listops import HEADER, listops_path

MIN, MAX, MED, SUM_MOD, END = "[MIN", "[MAX", "[MED", "[SM", "]"
OPERATORS = (MIN, MAX, MED, SUM_MOD)
VALUE_PROBABILITY = 0.75  # LRA: a node becomes an operator when random() <= VALUE_P = 0.25

Tree = Union[int, str, tuple]  # noqa: UP007 - a recursive alias reads better this way


def generate_tree(rng: random.Random, depth: int, max_depth: int, max_args: int) -> tuple[Tree, int]:
    """A random tree and its length (operators + digits + closing brackets)."""
    r = rng.random() if depth < max_depth else 1.0
    if r > 1.0 - VALUE_PROBABILITY:
        return rng.choice(range(10)), 1
    length = 2  # the operator and its closing bracket
    args = []
    for _ in range(rng.randint(2, max_args)):
        sub, sub_length = generate_tree(rng, depth + 1, max_depth, max_args)
        args.append(sub)
        length += sub_length
    node: Tree = (rng.choice(OPERATORS), args[0])
    for arg in args[1:]:
        node = (node, arg)
    return (node, END), length


def to_string(tree: Tree) -> str:
    if isinstance(tree, (int, str)):
        return str(tree)
    return f"( {to_string(tree[0])} {to_string(tree[1])} )"


def evaluate(tree: Tree) -> int:
    """The value of a tree built by `generate_tree`."""
    if isinstance(tree, int):
        return tree
    node, end = tree
    assert end == END
    args: list[int] = []
    while isinstance(node[0], tuple):  # unwind ((((op a1) a2) a3) ...)
        args.append(evaluate(node[1]))
        node = node[0]
    op = node[0]
    args.append(evaluate(node[1]))
    args.reverse()
    if op == MIN:
        return min(args)
    if op == MAX:
        return max(args)
    if op == MED:
        ordered = sorted(args)
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) // 2
    return sum(args) % 10


def generate_listops(
    out_dir: str | Path,
    num_train: int = 96_000,
    num_val: int = 2_000,
    num_test: int = 2_000,
    max_depth: int = 10,
    max_args: int = 10,
    min_length: int = 500,
    max_length: int = 2000,
    seed: int = 0,
    task: str = "basic",
    max_tries: int = 10_000_000,
) -> dict[str, Path]:
    """Write `<task>_{train,val,test}.tsv` under `out_dir`; returns the paths by split."""
    if min_length + 1 >= max_length:
        raise ValueError(f"ListOps generator: need min_length + 1 < max_length, got {min_length} and {max_length}")
    rng = random.Random(seed)
    trees: dict[Tree, None] = {}  # distinct trees, in generation order
    wanted = num_train + num_val + num_test
    for _ in range(max_tries):
        if len(trees) >= wanted:
            break
        tree, length = generate_tree(rng, 1, max_depth, max_args)
        if min_length < length < max_length:
            trees[tree] = None
    else:
        raise RuntimeError(
            f"ListOps generator: only {len(trees)} of {wanted} distinct trees with {min_length} < length < {max_length} "
            f"after {max_tries} tries; widen the length bounds or raise max_depth/max_args"
        )
    rows = [[to_string(t), evaluate(t)] for t in trees]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    splits = {"train": rows[:num_train], "val": rows[num_train : num_train + num_val], "test": rows[num_train + num_val :]}
    paths = {}
    for split, split_rows in splits.items():
        path = listops_path(out, split, task)
        with path.open("w", newline="") as f:  # csv's own \r\n line ends, as LRA's files have
            writer = csv.writer(f, delimiter="\t")
            writer.writerow(HEADER)
            writer.writerows(split_rows)
        paths[split] = path
    return paths


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out_dir", type=Path)
    p.add_argument("--task", default="basic")
    for name, default in [("num-train", 96_000), ("num-val", 2_000), ("num-test", 2_000), ("max-depth", 10),
                          ("max-args", 10), ("min-length", 500), ("max-length", 2000), ("seed", 0)]:
        p.add_argument(f"--{name}", type=int, default=default)
    a = p.parse_args()
    paths = generate_listops(a.out_dir, a.num_train, a.num_val, a.num_test, a.max_depth, a.max_args,
                             a.min_length, a.max_length, a.seed, a.task)
    for split, path in paths.items():
        print(f"{split}: {path}")


if __name__ == "__main__":
    main()
