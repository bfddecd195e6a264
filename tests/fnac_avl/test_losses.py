from __future__ import annotations

import torch
import torch.nn.functional as F

from fnac_avl.config import LossConfig
from fnac_avl.losses import fnac_loss_terms, total_loss


def features(b=6, d=8, h=3, w=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    img = F.normalize(torch.randn(b, d, h, w, generator=g), dim=1)
    return img, F.normalize(torch.randn(b, d, generator=g), dim=1)


def test_switches_and_warmup():
    terms = fnac_loss_terms(*features(), tau=0.03)
    cfg = LossConfig()
    full = total_loss(terms, cfg, warmup=False)
    expected = terms["contrastive"] + 100 * (terms["fns_audio"] + terms["tne"] + terms["fns_image"])
    assert torch.allclose(full, expected)
    assert torch.equal(total_loss(terms, cfg, warmup=True), terms["contrastive"])
    no_tne = total_loss(terms, LossConfig(tne=False), warmup=False)
    assert torch.allclose(no_tne, expected - 100 * terms["tne"])
    only_contrastive = LossConfig(fns_audio=False, fns_image=False, tne=False)
    assert torch.equal(total_loss(terms, only_contrastive, warmup=False), terms["contrastive"])


def test_matching_pairs_lower_the_contrastive_term():
    img, aud = features()
    aligned = F.normalize(img.mean(dim=(2, 3)), dim=1)  # each audio points at its own image
    assert fnac_loss_terms(img, aligned, 0.03)["contrastive"] < fnac_loss_terms(img, aud, 0.03)["contrastive"]


def test_all_terms_have_gradients():
    img, aud = features()
    img.requires_grad_(True)
    aud.requires_grad_(True)
    terms = fnac_loss_terms(img, aud, 0.03)
    for name, value in terms.items():
        grads = torch.autograd.grad(value, (img, aud), retain_graph=True, allow_unused=True)
        assert any(g is not None and g.abs().sum() > 0 for g in grads), name
