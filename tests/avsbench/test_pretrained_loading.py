"""Loading ImageNet backbones and VGGish weights in the files' own layouts (torchvision, PVT-v2 release, torchvggish)."""

from __future__ import annotations

import torch

from avsbench.config import AudioConfig, ModelConfig
from avsbench.convert import load_backbone, load_vggish
from avsbench.model import AVSSystem
from shared.testing import seeded_state_dict

SMALL_AUDIO = AudioConfig(vggish_weights=None, widths=(4, 8, 8, 8), hidden=16)


def test_torchvision_resnet_checkpoint_loads_into_the_backbone(tmp_path):
    from torchvision.models.resnet import Bottleneck, ResNet

    reference = ResNet(Bottleneck, [1, 1, 1, 1])
    torch.save(reference.state_dict(), tmp_path / "resnet.pth")  # includes fc.*, which is skipped
    system = AVSSystem(ModelConfig(backbone="resnet50", channels=8, resnet_layers=(1, 1, 1, 1), head_channels=(8, 4)),
                       SMALL_AUDIO)
    load_backbone(system, tmp_path / "resnet.pth")
    assert torch.equal(system.avs.backbone.layer4[0].conv2.weight, reference.layer4[0].conv2.weight)


def test_original_pvt_release_layout_loads_into_timm_backbone(tmp_path, golden):
    spec = [[k[len("encoder_backbone."):], s, d] for k, s, d in golden("pvt_tiny_model.pt")["none"]["spec"]
            if k.startswith("encoder_backbone.")]
    original = seeded_state_dict(spec + [["head.weight", [1000, 32], "float32"]], seed=3)
    torch.save(original, tmp_path / "pvt.pth")
    cfg = ModelConfig(backbone="pvt_v2_b5", channels=8, pvt_embed_dims=(8, 16, 24, 32), pvt_depths=(1, 2, 1, 1),
                      pvt_num_heads=(1, 2, 3, 4), head_channels=(8, 4))
    system = AVSSystem(cfg, SMALL_AUDIO)
    load_backbone(system, tmp_path / "pvt.pth")
    net = system.avs.backbone.net
    assert torch.equal(net.stages[2].blocks[0].mlp.dwconv.weight, original["block3.0.mlp.dwconv.dwconv.weight"])
    assert torch.equal(net.stages[1].downsample.proj.weight, original["patch_embed2.proj.weight"])


def test_torchvggish_weights_load_and_pca_params_are_ignored(tmp_path):
    system = AVSSystem(ModelConfig(backbone="resnet50", channels=8, resnet_layers=(1, 1, 1, 1), tpavi_stages=()),
                       SMALL_AUDIO)
    state = {k: torch.randn_like(v) for k, v in system.vggish.state_dict().items()}
    torch.save({**state, "pproc.pca_means": torch.zeros(128, 1)}, tmp_path / "vggish.pth")
    load_vggish(system, tmp_path / "vggish.pth")
    assert torch.equal(system.vggish.embeddings[0].weight, state["embeddings.0.weight"])
    assert not any(p.requires_grad for p in system.vggish.parameters())
