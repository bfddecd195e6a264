"""Parameter counts of the paper's models (built on the meta device) and every config."""

from pathlib import Path

import pytest
import torch

from shared.config import load_config

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "sam_wsss" / "configs").glob("[!_]*.py"))


def _count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_grounding_dino_swint_ogc_has_the_published_size():
    from transformers import GroundingDinoForObjectDetection

    from sam_wsss.models import swint_ogc_config

    with torch.device("meta"):
        model = GroundingDinoForObjectDetection(swint_ogc_config())
    # Grounding DINO paper (Liu et al. 2023), model table: Grounding-DINO-T (Swin-T) has 172M parameters
    assert _count(model) == pytest.approx(172e6, rel=0.005)


def test_sam_vit_h_has_the_published_size():
    from segment_anything import sam_model_registry

    with torch.device("meta"):
        sam = sam_model_registry["vit_h"]()
    # SAM paper (Kirillov et al. 2023), image-encoder scaling ablation: ViT-H has 636M parameters
    assert _count(sam.image_encoder) == pytest.approx(636e6, rel=0.005)


def test_deeplab_v2_resnet101_size():
    """ResNet-101 trunk (torchvision's resnet101 without its 1000-way fc: 44,549,160 - 2,049,000) plus four
    3x3 ASPP branches 2048 -> 21 with bias (DeepLab-v2, Chen et al. 2017)."""
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    import sam_wsss.mmseg_modules  # noqa: F401

    register_all_modules()
    from sam_wsss.config import SegTrainConfig
    from sam_wsss.segtrain import model_config

    cfg = SegTrainConfig(pretrained="")
    with torch.device("meta"):
        model = MODELS.build(model_config(cfg, 21))
    assert _count(model) == 44_549_160 - 2_049_000 + 4 * (2048 * 9 * 21 + 21)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_every_config_loads_and_describes_its_experiment(path):
    from sam_wsss.config import Experiment
    from sam_wsss.segtrain import mmseg_config

    cfg = load_config(path)
    assert isinstance(cfg, Experiment)
    mm = mmseg_config(cfg.train, "pseudo", 21 if cfg.train.dataset == "voc" else 81)
    assert mm["model"]["decode_head"]["type"] == "DeepLabV2Head"
    if path.stem != "smoke":
        assert cfg.pseudo.detector.box_threshold == 0.3 and cfg.pseudo.detector.text_threshold == 0.25
        assert cfg.pseudo.segmenter.kind == "vit_h" and cfg.pseudo.detector.kind == "swint_ogc"
        assert cfg.train.depth == 101


def test_full_profile_without_data_stops_with_the_prepare_command(tmp_path, capsys):
    from sam_wsss.reproduce import main

    with pytest.raises(SystemExit) as stop:
        main(["--profile", "full", "--set", f"pseudo.data.root={tmp_path}/none", "--out", str(tmp_path / "o")])
    assert stop.value.code == 2
    assert "python -m sam_wsss.prepare --dataset voc" in capsys.readouterr().err
