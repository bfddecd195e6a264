"""The initialisation the paper configs ask for, from files in the released layouts (video_linear/weights.py)."""

from pathlib import Path

import pytest
import torch

from shared.config import load_config
from video_linear.config import InitConfig
from video_linear.convert import ConversionError, convert_state_dict, load_into
from video_linear.model import build_model
from video_linear.pretrained import initialise
from video_linear.weights import released_layout, write_released_layout

CONFIGS = Path(__file__).resolve().parents[2] / "video_linear" / "configs"


def test_converter_takes_the_exact_key_set_of_an_original_k400_checkpoint(tmp_path):
    """XVIT's unused new_fc is in every original checkpoint: it is dropped knowingly, the rest loads strictly."""
    path = write_released_layout("k400_video", tmp_path / "checkpoint_epoch_00040.pyth")
    checkpoint = torch.load(path, weights_only=False)
    assert {"new_fc.weight", "new_fc.bias"} <= set(checkpoint["model_state"])
    model = build_model(load_config(CONFIGS / "k400.py"))
    assert load_into(model, convert_state_dict(checkpoint)) == []
    torch.testing.assert_close(model.head[4].weight, checkpoint["model_state"]["consensus.mlp_head.4.weight"])


def test_image21k_initialises_the_backbone(tmp_path, capsys):
    cfg = load_config(CONFIGS / "k400.py")
    assert cfg.init.source == "image21k" and cfg.init.file.endswith("lvit_v2/lvit_v2_base_in21k_finetune300k.pth")
    file = write_released_layout("image21k", tmp_path / "lvit.pth")
    model = build_model(cfg)
    head_before = model.head[1].weight.clone()
    temporal_before = model.blocks[3].temporal_attn.qkv.weight.clone()
    counts = initialise(model, InitConfig(source="image21k", file=str(file)))
    state = torch.load(file, weights_only=True)
    torch.testing.assert_close(model.blocks[3].spatial_attn.qkv.weight, state["blocks.3.attn.qkv.weight"])
    torch.testing.assert_close(model.patch_embed.weight, state["patch_embed.proj.weight"])
    assert torch.equal(model.head[1].weight, head_before)  # the video head keeps its init (image head dropped)
    assert torch.equal(model.blocks[3].temporal_attn.qkv.weight, temporal_before)  # no temporal attention in images
    assert counts == {"init_loaded": len(released_layout("image21k")) - 2, "init_left":
                      len(model.state_dict()) - (len(released_layout("image21k")) - 2)}
    assert "init from" in capsys.readouterr().out


def test_charades_starts_from_a_k400_checkpoint(tmp_path):
    """Every tensor that fits is loaded (the 157-class last layer does not), as the original's load_checkpoint."""
    cfg = load_config(CONFIGS / "charades.py")
    assert cfg.init.source == "video" and cfg.model.share_gate
    file = write_released_layout("k400_video_shared_gate", tmp_path / "k400.pyth")
    model = build_model(cfg)
    counts = initialise(model, InitConfig(source="video", file=str(file)))
    assert counts["init_left"] == 2  # head.4.weight, head.4.bias: 400 vs 157 classes
    state = torch.load(file, weights_only=False)["model_state"]
    torch.testing.assert_close(model.blocks[0].spatial_attn.gate.weight, state["base_model.blocks.0.attn.pgate.weight"])


def test_a_separate_gate_checkpoint_leaves_the_shared_gates(tmp_path):
    file = write_released_layout("k400_video", tmp_path / "k400.pyth")
    model = build_model(load_config(CONFIGS / "charades.py"))
    counts = initialise(model, InitConfig(source="video", file=str(file)))
    assert counts["init_left"] == 2 + 2 * 2 * 12  # head.4 and both attentions' shared gate in 12 blocks


def test_missing_or_wrong_files_say_what_was_expected(tmp_path):
    model = build_model(load_config(CONFIGS / "ssv2.py"))
    with pytest.raises(FileNotFoundError, match="ImageNet-21k lvit_v2 weights"):
        initialise(model, InitConfig(source="image21k", file=str(tmp_path / "none.pth")))
    torch.save({"unrelated.weight": torch.zeros(2)}, tmp_path / "bad.pth")
    with pytest.raises(ConversionError, match="unrelated.weight"):
        initialise(model, InitConfig(source="image21k", file=str(tmp_path / "bad.pth")))


def test_image21k_into_a_shallower_model_ignores_the_extra_blocks(tmp_path, capsys):
    """Found by the CPU dryrun (1 of 12 blocks): timm's non-strict load ignores tensors with no place."""
    import dataclasses

    cfg = load_config(CONFIGS / "k400.py")
    file = write_released_layout("image21k", tmp_path / "lvit.pth")
    model = build_model(dataclasses.replace(cfg, model=dataclasses.replace(cfg.model, depth=1)))
    counts = initialise(model, InitConfig(source="image21k", file=str(file)))
    assert counts["init_loaded"] == 7 + 14  # patch conv + norm, temporal embedding, final norm; block 0
    assert "154 tensors of" in capsys.readouterr().out  # blocks 1..11, 14 tensors each
