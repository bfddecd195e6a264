"""The converter on the full original layouts, and parameter counts of the paper configurations.

The paper reports no parameter counts; the reference figures are the original code's own models
(`sum(p.numel() for p in model.parameters())`, as its MS3 train.py logs), recorded in golden/orig_layouts.json.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import torch

from avsbench.config import ModelConfig
from avsbench.convert import convert_key, convert_state_dict, load_original, main
from avsbench.model import AVSModel

LAYOUTS = json.loads((Path(__file__).with_name("golden") / "orig_layouts.json").read_text())


@functools.cache
def _meta_model(backbone: str) -> AVSModel:
    """The paper configuration (TPAVI at all four stages), built once per backbone on the meta device."""
    with torch.device("meta"):
        return AVSModel(ModelConfig(backbone=backbone, tpavi_stages=(0, 1, 2, 3)))


@pytest.mark.parametrize("backbone", ["resnet50", "pvt_v2_b5"])
def test_original_layout_converts_onto_ours_exactly(backbone):
    spec = LAYOUTS[f"{backbone}_spec"]
    ours = {k: tuple(v.shape) for k, v in _meta_model(backbone).state_dict().items()}
    converted = {convert_key(name): tuple(shape) for name, shape, _ in spec}
    converted.pop(None, None)  # the original ResNet's unused second layer3/layer4 branch
    assert converted == ours


@pytest.mark.parametrize("backbone", ["resnet50", "pvt_v2_b5"])
@pytest.mark.parametrize("stages", [(), (0, 1, 2, 3)])
def test_parameter_counts_match_the_original_models(backbone, stages):
    # original code: ResNet-50 + TPAVI x4: 91,400,961 of which 22,063,104 sit in the unused branch -> 69,337,857;
    # PVT-v2-b5 + TPAVI x4: 101,320,577; without TPAVI: 90,737,921 (- 22,063,104) and 100,657,537
    ref = LAYOUTS[f"{backbone}_tpavi{len(stages)}"]
    expected = ref["all"] - ref["unused_resnet_branch"]
    model = _meta_model(backbone)
    count = sum(p.numel() for k, p in model.named_parameters() if stages or not k.startswith("tpavi."))
    assert count == expected


def test_convert_cli_strips_module_prefix_and_rejects_unknown_keys(tmp_path):
    state = {"module.output_conv.0.weight": torch.zeros(2), "module.resnet.layer4_2.0.conv1.weight": torch.zeros(1)}
    torch.save(state, tmp_path / "orig.pth")
    main([str(tmp_path / "orig.pth"), str(tmp_path / "ours.pth")])
    assert list(torch.load(tmp_path / "ours.pth")) == ["head.conv1.weight"]
    with pytest.raises(KeyError, match="no counterpart"):
        convert_state_dict({"fc.weight": torch.zeros(1)})
    (tmp_path / "bad.pth").write_bytes(b"")
    torch.save([1, 2], tmp_path / "bad.pth")
    with pytest.raises(ValueError, match="bad.pth"):
        load_original(tmp_path / "bad.pth")
