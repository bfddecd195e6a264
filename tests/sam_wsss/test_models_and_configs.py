"""Parameter counts of the paper's models (built on the meta device) and every config."""

from pathlib import Path

import pytest
import torch

from shared.config import load_config

CONFIG_DIR = Path(__file__).resolve().parents[2] / "sam_wsss" / "configs"


def _count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_grounding_dino_swint_ogc_has_the_published_size():
    from transformers import GroundingDinoForObjectDetection

    from sam_wsss.model import swint_ogc_config

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


def test_paper_configs_keep_the_original_pseudo_label_settings():
    for name in ("voc", "coco"):
        cfg = load_config(CONFIG_DIR / f"{name}.py")
        assert cfg.pseudo.detector.box_threshold == 0.3 and cfg.pseudo.detector.text_threshold == 0.25
        assert cfg.pseudo.segmenter.kind == "vit_h" and cfg.pseudo.detector.kind == "swint_ogc"
        assert cfg.train.depth == 101 and cfg.pseudo.metric_rule == "original"
