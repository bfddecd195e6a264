"""TNN encoders under the shared LRA classifier: every task classifies padded batches, 2D mixing is exact."""

from dataclasses import replace

import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

from shared.parallel import GlobalBatchNorm, convert_sync_batchnorm, count_batchnorm
from tnn.config import lra_config
from tnn.layers import Gtu2d
from tnn.lra import build_tnn_classifier

TASKS = ("listops", "text", "retrieval", "image", "pathfinder", "pathx")


@pytest.mark.parametrize("task", TASKS)
def test_each_lra_encoder_classifies_padded_batches(task):
    cfg = lra_config(task)
    small = replace(cfg.model, embed_dim=8, num_layers=1, rpe_dim=4, mlp_dim=8)
    model = build_tnn_classifier(task, small, 64).eval()
    tokens = torch.randint(1, 10, (2, 64))
    mask = torch.zeros(2, 64, dtype=torch.bool)
    mask[1, 50:] = True
    args = (tokens, mask, tokens, mask) if task == "retrieval" else (tokens, mask)
    logits = model(*args)
    assert logits.shape[0] == 2 and torch.isfinite(logits).all()


def test_gtu2d_mixes_rows_and_columns_in_both_orders():
    torch.manual_seed(0)
    gtu = Gtu2d(4, expand_ratio=1, rpe_dim=8, rpe_layers=1, gamma=0.8)
    h, w, e = 3, 4, 4
    v = torch.randn(2, h * w, e)
    Tw = gtu.tno.toeplitz_matrix(w)  # e, w, w
    Th = gtu.tno_h.toeplitz_matrix(h)  # e, h, h
    grid = v.reshape(2, h, w, e)
    along_w = lambda x: torch.einsum("ewv,bhve->bhwe", Tw, x)  # noqa: E731
    along_h = lambda x: torch.einsum("ehg,bgwe->bhwe", Th, x)  # noqa: E731
    ref = along_h(along_w(grid)) + along_w(along_h(grid))
    assert torch.allclose(gtu.mix(v), ref.reshape(2, h * w, e), atol=1e-5)
    with pytest.raises(ValueError, match="grid"):
        gtu.mix(torch.randn(1, 7, e))


def test_image_classifier_mixes_patches_along_both_axes():
    from tnn.config import deit_tiny_config
    from tnn.image import TnnVit

    torch.manual_seed(0)
    model = TnnVit(deit_tiny_config(image_size=32, patch_size=8, embed_dim=16, glu_dim=16, num_layers=2, rpe_dim=8,
                                    num_classes=5)).eval()
    images = torch.randn(2, 3, 32, 32)
    assert model(images).shape == (2, 5)
    gtu = model.layers[0].gtu
    assert gtu.mode == "sum"
    v = torch.randn(1, 16, gtu.tno.channels)
    grid = v.reshape(1, 4, 4, -1)
    Tw, Th = gtu.tno.toeplitz_matrix(4), gtu.tno_h.toeplitz_matrix(4)
    ref = torch.einsum("ewv,bhve->bhwe", Tw, grid) + torch.einsum("ehg,bgwe->bhwe", Th, grid)
    assert torch.allclose(gtu.mix(v), ref.reshape(1, 16, -1), atol=1e-5)


@pytest.mark.parametrize("task", TASKS)
def test_every_lra_recipe_synchronises_its_token_batchnorm(task):
    """script_lra.py's `synbatch` on 2-8 GPUs normalises over the whole batch: the config asks for it, and
    every token BatchNorm of the encoder converts, keeping its (b, n, d) layout and its state-dict keys."""
    cfg = lra_config(task)
    assert cfg.train.sync_batchnorm
    small = replace(cfg.model, embed_dim=8, num_layers=1, rpe_dim=4, mlp_dim=8)
    model = build_tnn_classifier(task, small, 64).eval()
    tokens = torch.randint(1, 10, (2, 64))
    mask = torch.zeros(2, 64, dtype=torch.bool)
    args = (tokens, mask, tokens, mask) if task == "retrieval" else (tokens, mask)
    before, keys = model(*args), model.state_dict().keys()
    assert count_batchnorm(model) >= 2 * small.num_layers  # the token mixer's and the channel mixer's norms
    convert_sync_batchnorm(model)
    assert all(isinstance(m, GlobalBatchNorm) for m in model.modules() if isinstance(m, _BatchNorm))
    assert model.state_dict().keys() == keys
    torch.testing.assert_close(model(*args), before)
