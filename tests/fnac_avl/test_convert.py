from __future__ import annotations

import pytest
import torch

from fnac_avl.config import ModelConfig
from fnac_avl.convert import check_shapes, convert_state_dict, main
from fnac_avl.model import FNACModel

TINY = ModelConfig(embed_dim=8, image_widths=(4, 4, 8, 8), audio_widths=(4, 4, 8, 8))


def to_original(state: dict) -> dict:
    back = {"image_encoder.": "imgnet.", "image_proj.": "img_proj.", "audio_encoder.": "audnet.",
            "audio_proj.": "aud_proj."}
    out = {}
    for k, v in state.items():
        for new, old in back.items():
            if k.startswith(new):
                out["module." + old + k[len(new):]] = v
    return out


def test_round_trip_and_cli(tmp_path):
    model = FNACModel(TINY)
    original = {"model": to_original(model.state_dict()), "optimizer": {}, "epoch": 3, "best_cIoU": 0.5}
    converted = convert_state_dict(original)
    other = FNACModel(TINY)
    check_shapes(converted, other)
    other.load_state_dict(converted, strict=True)
    for k, v in model.state_dict().items():
        assert torch.equal(v, other.state_dict()[k])


def test_bad_keys_and_shapes():
    with pytest.raises(KeyError, match="unexpected key 'head.weight'"):
        convert_state_dict({"head.weight": torch.zeros(1)})
    model = FNACModel(TINY)
    converted = convert_state_dict(to_original(model.state_dict()))
    converted["audio_proj.weight"] = torch.zeros(3, 3)
    with pytest.raises(ValueError, match="audio_proj.weight"):
        check_shapes(converted, model)


def test_cli_rejects_wrong_size(tmp_path):
    model = FNACModel(TINY)
    path = tmp_path / "best.pth"
    torch.save({"model": to_original(model.state_dict())}, path)
    with pytest.raises(ValueError, match="checkpoint shape"):
        main([str(path), str(tmp_path / "out.pt")])  # the CLI builds the paper's 512-d ResNet-18 model
