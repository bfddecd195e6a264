"""convert.py maps the original checkpoint layout; the CLI writes a loadable state dict."""

import sys
from pathlib import Path

import pytest
import torch

from transnormer import convert
from transnormer.config import TransNormerConfig
from transnormer.convert import convert_state_dict
from transnormer.model import TransNormerLM


def test_cli_round_trip(golden: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoint = {"model": {**golden["lm_t1"]["state_dict"], "decoder.version": torch.tensor([3.0])},
                  "args": None, "optimizer_history": []}
    torch.save(checkpoint, tmp_path / "checkpoint_best.pt")
    monkeypatch.setattr(sys, "argv", ["convert", str(tmp_path / "checkpoint_best.pt"), str(tmp_path / "ours.pt")])
    convert.main()
    cfg = TransNormerConfig(vocab_size=40, embed_dim=16, num_layers=4, num_heads=2, block_size=8, chunk_size=8,
                            dropout=0.0, max_positions=64)
    TransNormerLM(cfg).load_state_dict(torch.load(tmp_path / "ours.pt"), strict=True)


def test_theta_is_reshaped_and_householder_renamed(golden: dict) -> None:
    out = convert_state_dict(golden["lm_t1"]["state_dict"])
    assert out["layers.0.self_attn.positional.theta"].shape == (4,)
    assert "layers.3.self_attn.positional.householder" in out


def test_unknown_key_is_named() -> None:
    with pytest.raises(KeyError, match="decoder.adaptive_softmax.head.weight"):
        convert_state_dict({"decoder.adaptive_softmax.head.weight": torch.zeros(1)})
