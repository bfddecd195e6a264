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


def test_ms3_starts_from_a_trained_s4_model_in_either_format(tmp_path):
    """--load_s4_params: every key of the S4 model that the MS3 model has is copied; VGGish stays as loaded."""
    from avsbench.convert import convert_key, load_s4_model

    cfg = ModelConfig(backbone="resnet50", channels=8, resnet_layers=(1, 1, 1, 1), head_channels=(8, 4))
    torch.manual_seed(0)
    s4 = AVSSystem(cfg, SMALL_AUDIO)
    torch.save({"model": s4.state_dict(), "step": 3}, tmp_path / "ours.pt")  # a trainer checkpoint (best.pt)
    inverse = {convert_key(k): k for k in _original_keys(cfg)}
    torch.save({inverse[k]: v for k, v in s4.avs.state_dict().items()}, tmp_path / "S4_best.pth")  # original keys
    for name in ("ours.pt", "S4_best.pth"):
        torch.manual_seed(1)
        ms3 = AVSSystem(cfg, SMALL_AUDIO)
        vggish_before = ms3.vggish.embeddings[0].weight.clone()
        copied = load_s4_model(ms3, tmp_path / name)
        assert len(copied) == len(ms3.avs.state_dict())
        for key, value in ms3.avs.state_dict().items():
            assert torch.equal(value, s4.avs.state_dict()[key]), (name, key)
        assert torch.equal(ms3.vggish.embeddings[0].weight, vggish_before)


def _original_keys(cfg: ModelConfig) -> list[str]:
    """The original Pred_endecoder's keys for our model's tensors (ResNet: layer3_1/layer4_1)."""
    import re

    from avsbench.model import AVSModel

    names = {"audio_proj": "align_channel", "norm": "norm_layer", "value": "g", "query": "theta", "key": "phi",
             "out_proj": "W_z.0", "out_bn": "W_z.1"}
    out = []
    for k in AVSModel(cfg).state_dict():
        k = re.sub(r"^backbone\.(layer[34])\.", r"resnet.\1_1.", k)
        k = re.sub(r"^backbone\.", "resnet.", k)
        k = re.sub(r"^aspp\.(\d)\.branches\.", lambda m: f"conv{int(m.group(1)) + 1}.conv2d_list.", k)
        k = re.sub(r"^fusion\.(\d)\.skip_unit\.", lambda m: f"path{int(m.group(1)) + 1}.resConfUnit1.", k)
        k = re.sub(r"^fusion\.(\d)\.unit\.", lambda m: f"path{int(m.group(1)) + 1}.resConfUnit2.", k)
        k = re.sub(r"^tpavi\.(\d)\.(\w+)\.", lambda m: f"tpavi_b{int(m.group(1)) + 1}.{names[m.group(2)]}.", k)
        k = re.sub(r"^head\.conv(\d)\.", lambda m: f"output_conv.{2 * (int(m.group(1)) - 1)}.", k)
        out.append(k)
    return out


def test_the_config_init_from_loads_the_s4_model(tmp_path):
    from avsbench.config import AVSConfig
    from avsbench.configs._common import ms3_config
    from avsbench.convert import load_pretrained

    cfg = ModelConfig(backbone="resnet50", channels=8, resnet_layers=(1, 1, 1, 1), head_channels=(8, 4))
    s4 = AVSSystem(cfg, SMALL_AUDIO)
    torch.save({"model": s4.state_dict()}, tmp_path / "best.pt")
    assert ms3_config("pvt_v2_b5", init_from_s4=True).init_from.endswith("s4_pvt_tpavi/checkpoints/best.pt")
    experiment = AVSConfig(model=cfg, audio=SMALL_AUDIO, init_from=str(tmp_path / "best.pt"))
    ms3 = AVSSystem(cfg, SMALL_AUDIO)
    load_pretrained(ms3, experiment)
    assert torch.equal(ms3.avs.head.conv3.weight, s4.avs.head.conv3.weight)
