"""Padding in the bidirectional LM, against the original (golden/padding.pt, made by make_golden.py):
the original hands its layers a padding mask that its attentions ignore; ours does the same by default
(`mask_padding_in_layers=False`, the recipe), and masks padding in every attention as an option."""

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from shared.testing import GoldenFiles, assert_close_to_golden
from transnormer.config import TransNormerConfig
from transnormer.convert import convert_state_dict
from transnormer.model import TransNormerBidirectional

GOLDEN = GoldenFiles(Path(__file__).parent / "golden")
PADDED, FULL, REAL = 0, 1, 13  # row 0: 13 tokens then 7 pads; row 1: no padding


def tiny(variant: str) -> TransNormerConfig:
    # the shrunk roberta_transnormer configuration of the golden run (golden/README.md)
    t2 = variant == "t2"
    return TransNormerConfig(vocab_size=40, embed_dim=16, num_layers=4, num_heads=2, block_size=8, chunk_size=8,
                             diag_softmax=t2, kernel="1+elu" if t2 else "elu", dropout=0.0, max_positions=64,
                             causal=False)


def model(golden: dict, variant: str, mask: bool) -> TransNormerBidirectional:
    m = TransNormerBidirectional(replace(tiny(variant), mask_padding_in_layers=mask)).eval()
    m.load_state_dict(convert_state_dict({"model": golden[f"blm_{variant}"]["state_dict"]}), strict=True)
    return m


@pytest.mark.parametrize("variant", ["t1", "t2"])
def test_default_ignores_padding_inside_layers_as_the_original(golden: dict, variant: str) -> None:
    case = GOLDEN["padding.pt"][variant]
    with torch.no_grad():
        logits = model(golden, variant, mask=False)(case["tokens"])
    assert_close_to_golden(logits, case["logits"], rel_tol=1e-4, name=f"{variant} padded batch")


@pytest.mark.parametrize("variant", ["t1", "t2"])
def test_masking_option_equals_the_original_without_padding_and_differs_with_it(golden: dict, variant: str) -> None:
    case = GOLDEN["padding.pt"][variant]
    with torch.no_grad():
        logits = model(golden, variant, mask=True)(case["tokens"])
    assert_close_to_golden(logits[FULL], case["logits"][FULL], rel_tol=1e-4, name="unpadded row")
    real = (logits[PADDED, :REAL] - case["logits"][PADDED, :REAL]).abs().max()
    assert real > 0.05 * case["logits"][PADDED, :REAL].abs().max()  # padding changes the real tokens' logits


def test_masking_option_makes_real_tokens_blind_to_padding(golden: dict) -> None:
    """T1 (ReLU blocks, so the zero-padding of the last block weighs nothing): with the mask, the padded row's
    real tokens get the logits of the same 13 tokens alone; without it, they do not."""
    tokens = GOLDEN["padding.pt"]["t1"]["tokens"][PADDED:PADDED + 1]
    with torch.no_grad():
        alone = model(golden, "t1", mask=True)(tokens[:, :REAL])
        masked = model(golden, "t1", mask=True)(tokens)[:, :REAL]
        unmasked = model(golden, "t1", mask=False)(tokens)[:, :REAL]
    assert_close_to_golden(masked, alone, rel_tol=1e-5, name="masked vs alone")
    assert (unmasked - alone).abs().max() > 0.05 * alone.abs().max()
