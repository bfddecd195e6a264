"""The converter's CLI and the ImageNet-21k image-weight path, on the original's key layout."""

from pathlib import Path

import pytest
import torch

from video_linear.convert import ConversionError, convert_image_pretrained, convert_state_dict, load_into, main
from video_linear.model import ModelConfig, VideoLinearTransformer

GOLDEN = torch.load(Path(__file__).parent / "golden" / "golden.pt")
TINY = ModelConfig(num_classes=5, img_size=24, patch_size=8, patch_stride=7, embed_dim=16, num_heads=2, mlp_ratio=2.0,
                   num_frames=8, embed_frames=4, shift_segment=4, head_hidden=24, depth=2, shift_layers=[0, 1])


def test_cli_converts_a_ddp_checkpoint(tmp_path):
    original = {"model_state": {"module." + k: v for k, v in GOLDEN["full/state"].items()}, "epoch": 40}
    torch.save(original, tmp_path / "orig.pyth")
    assert main([str(tmp_path / "orig.pyth"), str(tmp_path / "ours.pt")]) == 0
    model = VideoLinearTransformer(TINY).eval()
    assert load_into(model, torch.load(tmp_path / "ours.pt")) == []
    with torch.no_grad():
        torch.testing.assert_close(model(GOLDEN["video"]), GOLDEN["full/logits"], atol=1e-4, rtol=0)


def test_image_pretrained_initialises_backbone_only():
    image = {k.removeprefix("base_model."): v for k, v in GOLDEN["full/state"].items() if k.startswith("base_model.")}
    image["head.weight"], image["head.bias"] = torch.zeros(10, 16), torch.zeros(10)  # 21k classifier: dropped
    model = VideoLinearTransformer(TINY)
    missing = load_into(model, convert_image_pretrained(image), strict=False)
    assert missing and all(k.startswith("head.") for k in missing)


def test_errors_name_the_key():
    with pytest.raises(ConversionError, match="blocks.0.mystery"):
        convert_state_dict({"base_model.blocks.0.mystery.weight": torch.zeros(1)})
    state = convert_state_dict(GOLDEN["full/state"])
    state["temp_embed"] = torch.zeros(1, 8, 1, 16)
    with pytest.raises(ConversionError, match=r"temp_embed: checkpoint shape \(1, 8, 1, 16\)"):
        load_into(VideoLinearTransformer(TINY), state)


def test_evaluate_an_original_checkpoint(tmp_path):
    """`evaluate --original` converts a checkpoint of the original code and runs the multi-view test."""
    from video_linear.evaluate import main as evaluate
    from video_linear.synthetic import generate

    generate(tmp_path / "data", {"test": 2}, frames=12, size=24)
    (tmp_path / "cfg.py").write_text(
        "from video_linear.data import DataConfig\n"
        "from video_linear.model import ModelConfig\n"
        "from video_linear.train import VideoConfig\n"
        "config = VideoConfig(model=ModelConfig(num_classes=5, img_size=24, patch_size=8, patch_stride=7,"
        " embed_dim=16, num_heads=2, mlp_ratio=2.0, num_frames=8, embed_frames=4, shift_segment=4, head_hidden=24,"
        " depth=2, shift_layers=[0, 1]),"
        f" data=DataConfig(root={str(tmp_path / 'data')!r}, num_frames=8, sampling_rate=1, test_crop_size=24,"
        " num_views=2, num_crops=3))\n")
    torch.save({"model_state": GOLDEN["full/state"]}, tmp_path / "orig.pyth")
    out = tmp_path / "m.json"
    assert evaluate(["--config", str(tmp_path / "cfg.py"), "--checkpoint", str(tmp_path / "orig.pyth"), "--original",
                     "--out", str(out)]) == 0
    import json

    metrics = json.loads(out.read_text())
    assert set(metrics) == {"top1_acc", "top5_acc"} and 0 <= metrics["top1_acc"] <= 100
