"""Our model, loaded through convert.py from a state dict in the original's key layout, reproduces the
original FNAC's localisation maps and loss terms (golden outputs, see golden/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from fnac_avl.config import ModelConfig
from fnac_avl.convert import convert_state_dict
from fnac_avl.losses import fnac_loss_terms
from fnac_avl.model import FNACModel
from shared.testing import assert_close_to_golden

GOLDEN = Path(__file__).parent / "golden"


def synth_value(key: str, shape: tuple[int, ...], gen: torch.Generator) -> torch.Tensor:
    if key.endswith("num_batches_tracked"):
        return torch.tensor(0)
    if key.endswith("running_var"):
        return 1.0 + 0.1 * torch.rand(shape, generator=gen)
    if key.endswith("running_mean") or key.endswith(".bias"):
        return 0.1 * torch.randn(shape, generator=gen)
    if len(shape) == 1:
        return 1.0 + 0.1 * torch.randn(shape, generator=gen)
    fan_in = int(np.prod(shape[1:]))
    return torch.randn(shape, generator=gen) / fan_in**0.5


def original_state_dict() -> tuple[dict, dict]:
    meta = json.loads((GOLDEN / "original_keys.json").read_text())
    gen = torch.Generator().manual_seed(meta["seed"])
    return {k: synth_value(k, tuple(shape), gen) for k, shape in meta["keys"]}, meta


def test_forward_matches_original():
    original, meta = original_state_dict()
    model = FNACModel(ModelConfig(embed_dim=512, tau=0.03, dropout_img=0.9))
    model.load_state_dict(convert_state_dict({"model": {"module." + k: v for k, v in original.items()}}), strict=True)
    model.eval()
    gen = torch.Generator().manual_seed(meta["input_seed"])
    image = torch.randn(3, 3, 224, 224, generator=gen)
    spec = torch.randn(3, 1, 257, 99, generator=gen)
    golden = torch.load(GOLDEN / "model_outputs.pt")
    with torch.no_grad():
        img, aud = model(image, spec)
        savl = model.localization_map(img, aud)
        terms = fnac_loss_terms(img, aud, 0.03)
    ours = torch.stack([terms[k] for k in ("contrastive", "fns_audio", "tne", "fns_image")])
    assert savl.shape == golden["savl"].shape == (3, 7, 7)
    assert (savl - golden["savl"]).abs().max() < 1e-4
    assert torch.allclose(ours, golden["losses"], atol=1e-4, rtol=1e-4)


def test_loss_terms_match_original():
    g = torch.load(GOLDEN / "loss_terms.pt")
    terms = fnac_loss_terms(g["img"], g["aud"], g["tau"], 0.6)
    ours = torch.stack([terms[k] for k in ("contrastive", "fns_audio", "tne", "fns_image")])
    assert torch.allclose(ours, g["losses"], atol=1e-5, rtol=1e-5)
    # the localisation map is the diagonal of the original's Slogits
    model = FNACModel(ModelConfig(embed_dim=16, tau=g["tau"], image_widths=(4, 4, 8, 8), audio_widths=(4, 4, 8, 8)))
    diag = g["slogits"][torch.arange(5), torch.arange(5)]
    assert torch.allclose(model.localization_map(g["img"], g["aud"]), diag, atol=1e-5)


def test_training_mode_matches_original():
    """Dropout 0.9 on the image features (the same masks from the same seed), BatchNorm batch statistics and their
    running updates, at the paper's shapes with 16 kHz audio (golden/make_golden.py: train_mode.pt)."""
    original, _ = original_state_dict()
    model = FNACModel(ModelConfig(embed_dim=512, tau=0.03, dropout_img=0.9))
    model.load_state_dict(convert_state_dict(original), strict=True)
    g = torch.load(GOLDEN / "train_mode.pt", weights_only=True)
    gen = torch.Generator().manual_seed(g["input_seed"])
    image, spec = torch.randn(4, 3, 224, 224, generator=gen), torch.randn(4, 1, 257, 200, generator=gen)
    model.train()
    torch.manual_seed(g["dropout_seed"])
    img, aud = model(image, spec)
    terms = fnac_loss_terms(img, aud, 0.03)
    ours = torch.stack([terms[k] for k in ("contrastive", "fns_audio", "tne", "fns_image")]).detach()
    assert_close_to_golden(ours[:1], g["losses"][:1], rel_tol=1e-4, name="contrastive")
    # the FNAC terms are small (~1e-3); each is compared on its own scale
    for i in range(1, 4):
        assert abs(ours[i] - g["losses"][i]) <= 1e-4 * abs(g["losses"][i]) + 1e-7, (i, ours[i], g["losses"][i])
    assert_close_to_golden(model.localization_map(img, aud).detach(), g["savl"], rel_tol=1e-4, name="savl")
    converted = convert_state_dict({k: v for k, v in g["running_var"].items()})
    state = model.state_dict()
    for key, expected in converted.items():
        assert_close_to_golden(state[key], expected, rel_tol=1e-5, name=key)
