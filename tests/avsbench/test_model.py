"""Model behaviour beyond equivalence: shapes, TPAVI's zero-initialised residual, errors, mixed precision."""

from __future__ import annotations

import pytest
import torch

from avsbench.config import ModelConfig
from avsbench.model import AVSModel
from avsbench.tpavi import TPAVI

TINY = dict(backbone="pvt_v2_b5", channels=8, pvt_embed_dims=(8, 8, 8, 8), pvt_depths=(1, 1, 1, 1),
            pvt_num_heads=(1, 1, 1, 1), pvt_drop_path_rate=0.0, head_channels=(8, 4))


def test_output_shapes_and_audio_maps():
    model = AVSModel(ModelConfig(**TINY, tpavi_stages=(0, 2)))
    logits, vmaps, amaps = model(torch.randn(10, 3, 64, 64), torch.randn(10, 128))
    assert logits.shape == (10, 1, 64, 64)
    assert [tuple(v.shape) for v in vmaps] == [(10, 8, 16, 16), (10, 8, 8, 8), (10, 8, 4, 4), (10, 8, 2, 2)]
    assert amaps[1] is None and amaps[3] is None and amaps[0].shape == (2, 5, 8)
    assert all((v >= 0).all() for v in vmaps)  # rectified, as the original returns them


def test_fresh_tpavi_is_layernorm_of_its_input():
    block = TPAVI(8).eval()
    x = torch.randn(1, 8, 5, 3, 3)
    z, _ = block(x, torch.randn(1, 5, 128))
    expected = torch.nn.functional.layer_norm(x.permute(0, 2, 3, 4, 1), (8,)).permute(0, 4, 1, 2, 3)
    assert torch.allclose(z, expected, atol=1e-5)


def test_audio_changes_the_prediction_only_with_tpavi():
    torch.manual_seed(0)
    model = AVSModel(ModelConfig(**TINY, tpavi_stages=(0, 1, 2, 3))).eval()
    for block in model.tpavi.values():
        torch.nn.init.normal_(block.out_bn.weight)
    frames = torch.randn(5, 3, 32, 32)
    a, b = model(frames, torch.randn(5, 128))[0], model(frames, torch.randn(5, 128))[0]
    assert (a - b).abs().max() > 1e-4
    with pytest.raises(ValueError, match="pass audio embeddings"):
        model(frames)
    with pytest.raises(ValueError, match="tpavi_stages"):
        AVSModel(ModelConfig(**TINY, tpavi_stages=(4,)))


def test_bf16_autocast_forward_and_backward():
    model = AVSModel(ModelConfig(**TINY))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits, _, _ = model(torch.randn(5, 3, 32, 32), torch.randn(5, 128))
    loss = logits.float().sigmoid().mean()
    loss.backward()
    assert torch.isfinite(loss)
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
