"""The gradient-norm recorder hooks every attention input of both variants."""

from pathlib import Path

import pytest

from shared.lm import LMBlocks
from transnormer.data import EOS, load_dictionary, load_split
from transnormer.grad_norms import record, relative_std
from transnormer.synthetic import generate_corpus


def test_records_one_norm_per_layer_and_step(tmp_path: Path) -> None:
    root = generate_corpus(tmp_path, lines=(60, 5, 5))
    d = load_dictionary(root)
    data = LMBlocks(load_split(root, "train", d), 32, EOS, full_only=True)
    for scaling in (True, False):
        history = record(scaling, data, len(d), steps=3, batch_size=4, seed=0)
        assert len(history) == 3 and all(len(step) == 4 for step in history)
        assert all(v > 0 for step in history for v in step)
    assert relative_std([1.0, 1.0]) == 0.0
    assert relative_std([1.0, 3.0]) == pytest.approx(0.5)
