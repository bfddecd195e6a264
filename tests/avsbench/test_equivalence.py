"""Our modules against outputs of the original AVSBench code on the same weights and inputs (golden/README.md)."""

from __future__ import annotations

import torch

from avsbench.config import ModelConfig
from avsbench.convert import convert_state_dict
from avsbench.losses import avm_cos, avm_kl, ms3_bce, s4_bce
from avsbench.model import AVSModel
from avsbench.tpavi import TPAVI
from avsbench.vggish import VGGish
from shared.testing import seeded_state_dict

TOL = 1e-4
TINY_PVT = dict(backbone="pvt_v2_b5", channels=16, pvt_embed_dims=(8, 16, 24, 32), pvt_depths=(1, 2, 1, 1),
                pvt_num_heads=(1, 2, 3, 4), pvt_sr_ratios=(8, 4, 2, 1), pvt_drop_path_rate=0.0)


def _close(a: torch.Tensor, b: torch.Tensor) -> None:
    assert a.shape == b.shape
    assert (a - b).abs().max().item() <= TOL, (a - b).abs().max().item()


def test_tpavi_matches_original_audio_and_self_attention(golden):
    g = golden("tpavi.pt")
    original = seeded_state_dict(g["spec"], g["seed"])
    block = TPAVI(16).eval()
    # TPAVI keys as they sit inside a model: tpavi_b1.<key>
    ours = {k.split(".", 2)[2]: v for k, v in convert_state_dict({f"tpavi_b1.{k}": v for k, v in original.items()}).items()}
    block.load_state_dict(ours, strict=True)
    gen = torch.Generator().manual_seed(g["input_seed"])
    x, audio = torch.randn(2, 16, 5, 6, 7, generator=gen), torch.randn(2, 5, 128, generator=gen)
    with torch.no_grad():
        z_va, audio_c = block(x, audio)
        z_vv, none = block(x)
    _close(z_va, g["z_va"])
    _close(audio_c, g["audio_c"])
    _close(z_vv, g["z_vv"])
    assert none is None


def _tiny_pvt_model(golden, case: str):
    g = golden("pvt_tiny_model.pt")[case]
    kw = g["kwargs"]
    cfg = ModelConfig(**TINY_PVT, tpavi_stages=tuple(kw["tpavi_stages"]), tpavi_va=kw.get("tpavi_va_flag", True),
                      tpavi_vv=kw.get("tpavi_vv_flag", False))
    model = AVSModel(cfg).eval()
    model.load_state_dict(convert_state_dict(seeded_state_dict(g["spec"], g["seed"])), strict=True)
    gen = torch.Generator().manual_seed(g["input_seed"])
    imgs, audio = torch.randn(10, 3, 32, 32, generator=gen), torch.randn(10, 128, generator=gen)
    return model, g, imgs, audio


def test_pvt_model_matches_original_for_tpavi_variants(golden):
    for case in ("va", "vv_va", "none"):
        model, g, imgs, audio = _tiny_pvt_model(golden, case)
        with torch.no_grad():
            pred, vmaps, amaps = model(imgs, audio)
        _close(pred, g["pred"])
        if case == "va":
            for ours, theirs in zip(vmaps, g["visual_maps"], strict=True):
                _close(ours, theirs)
            for ours, theirs in zip(amaps, g["audio_maps"], strict=True):
                _close(ours, theirs)


def test_losses_match_original(golden):
    model, g, imgs, audio = _tiny_pvt_model(golden, "va")
    masks = (torch.rand(10, 1, 32, 32, generator=torch.Generator().manual_seed(g["mask_seed"])) > 0.6).float()
    with torch.no_grad():
        pred, vmaps, amaps = model(imgs, audio)
    expected = g["losses"]
    stages = (0, 1, 2, 3)
    assert abs(s4_bce(pred, masks[::5]).item() - expected["s4_bce"]) < TOL
    assert abs(ms3_bce(pred, masks).item() - expected["ms3_bce"]) < TOL
    assert abs(avm_cos(pred, amaps, vmaps, stages).item() - expected["s4_avm_cos"]) < TOL
    for norm in (False, True):
        for thr in (False, True):
            value = avm_kl(pred, amaps, vmaps, stages, normalize=norm, threshold=thr).item()
            assert abs(value - expected[f"ms3_avm_kl_norm{int(norm)}_thr{int(thr)}"]) < TOL * max(1.0, abs(value))


def test_full_size_resnet50_model_matches_original(golden):
    g = golden("resnet50_model.pt")
    original = seeded_state_dict(g["spec"], g["seed"])
    model = AVSModel(ModelConfig(backbone="resnet50")).eval()
    model.load_state_dict(convert_state_dict(original), strict=True)
    gen = torch.Generator().manual_seed(g["input_seed"])
    imgs, audio = torch.randn(5, 3, 64, 64, generator=gen), torch.randn(5, 128, generator=gen)
    with torch.no_grad():
        pred, _, _ = model(imgs, audio)
    _close(pred, g["pred"])


def test_vggish_matches_the_original_port(golden):
    g = golden("vggish.pt")
    net = VGGish().eval()
    net.load_state_dict(seeded_state_dict(g["spec"], g["seed"]), strict=True)  # same keys as torchvggish
    examples = torch.randn(3, 1, 96, 64, generator=torch.Generator().manual_seed(g["input_seed"]))
    with torch.no_grad():
        _close(net(examples), g["embeddings"])
