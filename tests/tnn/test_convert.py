import argparse
import sys
from pathlib import Path

import pytest
import torch

from tnn import convert
from tnn.config import alm_config
from tnn.model import TnnLM

GOLDEN = torch.load(Path(__file__).parent / "golden" / "original_outputs.pt", weights_only=False)


def test_cli_converts_a_fairseq_checkpoint(tmp_path, monkeypatch):
    case = GOLDEN["lm"]
    ckpt = tmp_path / "checkpoint_best.pt"
    torch.save({"model": case["state_dict"], "args": argparse.Namespace(arch="tnn_v2_decay_99_pre")}, ckpt)
    out = tmp_path / "ours.pt"
    monkeypatch.setattr(sys, "argv", ["convert", str(ckpt), str(out)])
    convert.main()
    cfg = alm_config(vocab_size=case["vocab_size"], embed_dim=16, num_layers=2, rpe_dim=8, glu_dim=16, dropout=0.0)
    model = TnnLM(cfg).eval()
    model.load_state_dict(torch.load(out, weights_only=True), strict=True)
    assert (model(case["tokens"]) - case["logits"]).abs().max() <= 1e-4


def test_untied_output_projection_is_refused():
    state = dict(GOLDEN["lm"]["state_dict"])
    state["decoder.output_projection.weight"] = state["decoder.output_projection.weight"] + 1.0
    with pytest.raises(ValueError, match="share-decoder-input-output-embed"):
        convert.convert_state_dict({"model": state})


def test_unknown_layout_names_the_expected_prefixes():
    with pytest.raises(ValueError, match="decoder"):
        convert.convert_state_dict({"model": {"foo.weight": torch.zeros(1)}})


def test_roberta_keys_map_to_the_masked_lm():
    from tnn.config import blm_config
    from tnn.model import TnnMaskedLM

    ours = TnnMaskedLM(blm_config(embed_dim=16, num_layers=1, glu_dim=16, rpe_dim=8, vocab_size=20))
    # build an original-layout dict by inverting the mapping for this model's keys
    original = {}
    for k, v in ours.state_dict().items():
        k = k.replace("backbone.embed_norm.", "encoder.sentence_encoder.layernorm_embedding.")
        k = k.replace("backbone.", "encoder.sentence_encoder.").replace("lm_head.", "encoder.lm_head.")
        k = k.replace(".gtu.", ".self_attn.gtu.").replace(".tno.", ".toep.").replace(".out_proj.", ".o.")
        k = k.replace(".linear.", ".2.").replace("rpe.out.2.", "rpe.out.2.")
        original[k] = v.reshape(1, 1, -1) if k.endswith("gamma") else v
    converted = convert.convert_state_dict({"model": original})
    assert set(converted) == set(ours.state_dict())
    ours.load_state_dict(converted, strict=True)


def test_no_decay_checkpoint_loads_strictly():
    """`tnn_v2_no_decay` (use_decay=0): the original has no frozen `toep.gamma` parameter at all."""
    state = {k: v for k, v in GOLDEN["lm"]["state_dict"].items() if not k.endswith("toep.gamma")}
    assert len(state) < len(GOLDEN["lm"]["state_dict"])  # the decayed layout does hold them
    cfg = alm_config(vocab_size=GOLDEN["lm"]["vocab_size"], embed_dim=16, num_layers=2, rpe_dim=8, glu_dim=16,
                     dropout=0.0, use_decay=False)
    model = TnnLM(cfg).eval()
    model.load_state_dict(convert.convert_state_dict({"model": state}), strict=True)
    decayed = TnnLM(alm_config(**{**cfg.__dict__, "use_decay": True})).eval()
    decayed.load_state_dict(convert.convert_state_dict({"model": GOLDEN["lm"]["state_dict"]}), strict=True)
    tokens = GOLDEN["lm"]["tokens"]
    with torch.no_grad():
        assert (model(tokens) - decayed(tokens)).abs().max() > 1e-3  # the decay is really gone


@pytest.mark.parametrize("arch, use_decay", [("tnn_v2_no_decay", False), ("tnn_v2_decay_99_pre", True)])
def test_original_gtu_layouts_load_strictly(arch, use_decay):
    """The exact key sets and shapes of fairseq-evo's GtuV2 with and without decay (golden/no_decay_keys.json,
    recorded from the original by make_golden_no_decay_keys.py)."""
    import json

    from tnn.layers import Gtu

    layout = json.loads((Path(__file__).parent / "golden" / "no_decay_keys.json").read_text())[arch]
    original = {k: torch.full(shape, 0.99) for k, shape in layout}
    assert any(k.endswith("toep.gamma") for k in original) == use_decay
    gtu = Gtu(16, heads=1, expand_ratio=3, causal=True, use_decay=use_decay, rpe_dim=8, rpe_layers=6)
    gtu.load_state_dict(convert.convert_module_keys(original), strict=True)
