"""Equivalence with the original fairseq-evo modules (outputs saved in golden/, see golden/README.md)."""

from pathlib import Path

import pytest
import torch

from tnn.config import alm_config
from tnn.convert import convert_module_keys, convert_state_dict
from tnn.layers import Glu, Gtu
from tnn.model import TnnLM
from tnn.tno import Tno

GOLDEN = torch.load(Path(__file__).parent / "golden" / "original_outputs.pt", weights_only=False)
TOL = 1e-4


@pytest.mark.parametrize("name,causal", [("tno_causal", True), ("tno_bidir", False)])
def test_tno_equals_original(name, causal):
    case = GOLDEN[name]
    tno = Tno(6, 8, causal, use_decay=True, gamma=0.9, rpe_layers=2).eval()
    tno.load_state_dict(convert_module_keys(case["state_dict"]), strict=True)
    x = case["x"]  # b, h, n, d: the original's layout
    b, h, n, d = x.shape
    y = tno(x.permute(0, 2, 1, 3).reshape(b, n, h * d)).reshape(b, n, h, d).permute(0, 2, 1, 3)
    assert (y - case["y"]).abs().max() <= TOL


def test_gtu_equals_original():
    case = GOLDEN["gtu_bidir"]
    gtu = Gtu(8, heads=2, expand_ratio=3, causal=False, rpe_dim=16, rpe_layers=3).eval()
    gtu.load_state_dict(convert_module_keys(case["state_dict"]), strict=True)
    assert (gtu(case["x"]) - case["y"]).abs().max() <= TOL


def test_glu_equals_original():
    case = GOLDEN["glu"]
    glu = Glu(8, 16)
    glu.load_state_dict(convert_module_keys(case["state_dict"]), strict=True)
    assert (glu(case["x"]) - case["y"]).abs().max() <= TOL


def test_language_model_equals_original_decoder():
    case = GOLDEN["lm"]
    cfg = alm_config(vocab_size=case["vocab_size"], embed_dim=case["dim"], num_layers=case["layers"], rpe_dim=case["rpe_dim"],
                     glu_dim=case["glu_dim"], dropout=0.0)
    model = TnnLM(cfg).eval()
    model.load_state_dict(convert_state_dict({"model": case["state_dict"]}), strict=True)
    assert (model(case["tokens"]) - case["logits"]).abs().max() <= TOL


def test_post_norm_bidirectional_layer_equals_original_encoder_layer():
    from tnn.layers import TnnLayer

    case = GOLDEN["encoder_layer_postnorm"]
    layer = TnnLayer(16, 16, prenorm=False, norm="simplermsnorm", heads=1, expand_ratio=3, causal=False,
                     rpe_dim=8, rpe_layers=6).eval()
    layer.load_state_dict(convert_module_keys(case["state_dict"]), strict=True)
    y = layer(case["x"].transpose(0, 1)).transpose(0, 1)  # the original works on (n, b, d)
    assert (y - case["y"]).abs().max() <= TOL


def test_image_classifier_equals_original_tnnvit():
    """OpenNLPLab/im TNNVit (golden/make_golden_image.py) converted: T_h v + T_w v, mean pooling, RMS-normed head."""
    from shared.testing import GoldenFiles, assert_close_to_golden
    from tnn.config import deit_tiny_config
    from tnn.convert import convert_image_state_dict
    from tnn.image import TnnVit

    case = GoldenFiles(Path(__file__).parent / "golden")["image_classifier.pt"]
    s = case["settings"]
    cfg = deit_tiny_config(image_size=s["img_size"], patch_size=s["patch_size"], embed_dim=s["embed_dim"],
                           glu_dim=s["glu_dim"], num_layers=s["depth"], rpe_dim=s["rpe_embdding"],
                           num_classes=s["num_classes"])
    model = TnnVit(cfg).eval()
    model.load_state_dict(convert_image_state_dict({"model": case["state_dict"]}), strict=True)
    with torch.no_grad():
        assert_close_to_golden(model(case["images"]), case["logits"], rel_tol=1e-4, name="image logits")
