"""Parameter counts match the original architecture, and the paper configs hold the recipe of train_*.sh.

The paper gives no parameter count. The original model is two torchvision ResNet-18s without their
classifier (image: 11,176,512; audio with a 1-channel stem: 11,170,240), a 512->512 1x1 conv and a
512->512 linear projection (262,656 each): 22,872,064 parameters.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torchvision

from fnac_avl.model import build_model
from fnac_avl.resnet import ResNet18Trunk
from shared.config import load_config

CONFIGS = sorted(p for p in (Path(__file__).parents[2] / "fnac_avl" / "configs").glob("*.py")
                 if not p.stem.startswith("_"))
ORIGINAL_PARAMS = 22_872_064


def count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_parameter_count_and_recipe(path):
    cfg = load_config(path)
    with torch.device("meta"):
        model = build_model(cfg)
    if path.stem != "smoke":
        assert count(model) == ORIGINAL_PARAMS
        assert cfg.train.optim.name == "adam" and cfg.train.optim.lr == 1e-4 and cfg.train.batch_size == 256
        # Adam's L2 term on every parameter (utils.build_optimizer_and_scheduler_adam, --weight_decay 0.0001)
        assert cfg.train.optim.weight_decay == 1e-4 and cfg.train.optim.decay_1d_params
        assert cfg.epochs == 30 and cfg.loss.warmup_epochs == 5 and cfg.model.tau == 0.03
        assert cfg.model.dropout_img == 0.9 and cfg.model.dropout_aud == 0.0
        assert cfg.data.interpolation == "bicubic"  # train.py validate, the evaluation best.pth is chosen by
        # every released train_*.sh passes --testset flickr: the checkpoint is the best Flickr test epoch's
        if cfg.data.testset == "flickr":
            assert cfg.train.select_metric == "cIoU" and not cfg.data.select_testset
        else:
            assert cfg.train.select_metric == "flickr_cIoU" and cfg.data.select_testset == "flickr"
            assert cfg.data.select_test_csv.endswith("flickr_soundnet/metadata/flickr_test.csv")
            assert cfg.data.select_test_annotations.endswith("flickr_soundnet/test/Annotations")
        assert cfg.train.select_split == "test"
        assert cfg.train.select_ties == "later"  # the original: `if cIoU >= best_cIoU`
        assert cfg.train.sync_batchnorm and cfg.loss.gather_negatives  # the one-GPU batch on any GPU count
        assert cfg.model.image_weights.endswith("torchvision/resnet18-f37072fd.pth")
    else:
        assert count(model) < ORIGINAL_PARAMS / 10


def test_original_structure_count():
    image = torchvision.models.resnet18(weights=None)
    audio = torchvision.models.resnet18(weights=None)
    audio.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
    fc = image.fc.weight.numel() + image.fc.bias.numel()
    expected = count(image) - fc + count(audio) - fc + 2 * (512 * 512 + 512)
    assert expected == ORIGINAL_PARAMS


def test_trunk_equals_torchvision_resnet18():
    ref = torchvision.models.resnet18(weights=None).eval()
    trunk = ResNet18Trunk(3).eval()
    state = {k: v for k, v in ref.state_dict().items() if not k.startswith("fc.")}
    trunk.load_state_dict(state, strict=True)
    x = torch.randn(1, 3, 64, 64)
    body = torch.nn.Sequential(*list(ref.children())[:-2])
    with torch.no_grad():
        assert torch.allclose(trunk(x), body(x), atol=1e-5)
