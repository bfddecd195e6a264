"""Our modules with the original's weights reproduce the original's outputs (fp32, <= 1e-4)."""

import pytest
import torch

from transnormer.config import TransNormerConfig
from transnormer.convert import convert_state_dict
from transnormer.model import TransNormerBidirectional, TransNormerLayer, TransNormerLM


def tiny(variant: str, causal: bool = True) -> TransNormerConfig:
    # the shrunk configuration of the golden run (golden/README.md)
    t2 = variant == "t2"
    return TransNormerConfig(vocab_size=40, embed_dim=16, num_layers=4, num_heads=2, block_size=8, chunk_size=8,
                             diag_softmax=t2, kernel="1+elu" if t2 else "elu", dropout=0.0, max_positions=64,
                             causal=causal)


@pytest.mark.parametrize("variant", ["t1", "t2"])
def test_autoregressive_lm_matches_fairseq_evo(golden: dict, variant: str) -> None:
    case = golden[f"lm_{variant}"]
    model = TransNormerLM(tiny(variant)).eval()
    model.load_state_dict(convert_state_dict({"model": case["state_dict"]}), strict=True)
    with torch.no_grad():
        logits = model(case["tokens"])
    assert (logits - case["logits"]).abs().max() <= 1e-4


@pytest.mark.parametrize("variant", ["t1", "t2"])
@pytest.mark.parametrize("kind", ["diag", "norm"])
def test_bidirectional_layer_matches_fairseq_evo(golden: dict, variant: str, kind: str) -> None:
    case = golden[f"enc_{variant}_{kind}"]
    layer = TransNormerLayer(tiny(variant, causal=False), kind, pre_norm=False).eval()
    original = {f"encoder.sentence_encoder.layers.0.{k}": v for k, v in case["state_dict"].items()}
    ours = {k.removeprefix("layers.0."): v for k, v in convert_state_dict(original).items()}
    layer.load_state_dict(ours, strict=True)
    with torch.no_grad():
        y = layer(case["x"])
    assert (y - case["y"]).abs().max() <= 1e-4


def test_equivalence_can_fail(golden: dict) -> None:
    """A wrong kernel (1+elu where the original used elu) must be caught by the comparison."""
    case = golden["lm_t1"]
    cfg = tiny("t1")
    cfg.kernel = "1+elu"
    model = TransNormerLM(cfg).eval()
    model.load_state_dict(convert_state_dict(case["state_dict"]), strict=True)
    with torch.no_grad():
        assert (model(case["tokens"]) - case["logits"]).abs().max() > 1e-3


@pytest.mark.parametrize("variant", ["t1", "t2"])
def test_bidirectional_lm_matches_fairseq_evo(golden: dict, variant: str) -> None:
    """The whole roberta_transnormer model: learned positions, embedding LayerNorm, post-norm layers, LM head."""
    case = golden[f"blm_{variant}"]
    model = TransNormerBidirectional(tiny(variant, causal=False)).eval()
    model.load_state_dict(convert_state_dict({"model": case["state_dict"]}), strict=True)
    with torch.no_grad():
        logits = model(case["tokens"])
    assert (logits - case["logits"]).abs().max() <= 1e-4


def _lra_keys(sd: dict, norm_prefix: str, norm: str, drop_norm: bool) -> dict:
    """OpenNLPLab/lra attention keys -> ours: its Normalization wrapper holds the norm as `.norm`."""
    out = {}
    for key, value in sd.items():
        if key.startswith(norm_prefix):
            if drop_norm:  # softmax blocks build a norm they never apply
                continue
            key = key.replace(norm_prefix, "norm." if norm == "layernorm" else "norm.norm.")
        out[key] = value
    return out


@pytest.mark.parametrize("variant, norm", [("t1", "layer"), ("t2", "layer"), ("t2", "batch")])
def test_lra_attentions_match_opennlplab_lra(golden: dict, variant: str, norm: str) -> None:
    """OpenNLPLab/lra's NormLocalAttention / NormLinearAttention (fixed-angle rotary, no Householder)."""
    from transnormer.attention import DiagAttention, NormAttention
    from transnormer.layers import RelativePositionTransform

    case = golden[f"lra_{variant}_{norm}"]
    t2, ours_norm = variant == "t2", {"layer": "layernorm", "batch": "batchnorm"}[norm]
    local = DiagAttention(16, 2, block_size=8, causal=False, softmax=t2, norm=ours_norm,
                          positional=RelativePositionTransform(8, householder=False, learned_theta=False)).eval()
    linear = NormAttention(16, 2, "1+elu" if t2 else "elu", causal=False, norm=ours_norm,
                           positional=RelativePositionTransform(8, householder=False, learned_theta=False)).eval()
    local.load_state_dict(_lra_keys(case["local_state_dict"], "normalize.norm.", ours_norm, t2), strict=True)
    linear.load_state_dict(_lra_keys(case["linear_state_dict"], "layer_norm.norm.", ours_norm, False), strict=True)
    with torch.no_grad():
        assert (local(case["x"]) - case["y_local"]).abs().max() <= 1e-4
        assert (linear(case["x"]) - case["y_linear"]).abs().max() <= 1e-4
