"""The converter on a state dict laid out as the original's `transformersuper_cifar10` checkpoint."""

import re

import torch

from nas_efficient.config import SearchSpace, SupernetConfig
from nas_efficient.convert import convert_state_dict
from nas_efficient.model import VisionSupernet

SPACE = SearchSpace([8, 12], [1, 2], [16, 24], [1, 2], ["cosformer", "softmax"])
CFG = SupernetConfig(image_size=8, patch_size=4, in_chans=1, num_classes=5, head_dim=4)

OURS_TO_ORIGINAL = [
    (r"^patch_embed\.proj\.", "embed_tokens.proj."),
    (r"^layers\.(\d+)\.attention\.cosformer\.", r"layers.\1.self_attn_cosformer."),
    (r"^layers\.(\d+)\.attention\.softmax\.", r"layers.\1.self_attn_multihead."),
    (r"^layers\.(\d+)\.attention_norm\.", r"layers.\1.self_attn_layer_norm."),
    (r"^layers\.(\d+)\.ffn_norm\.", r"layers.\1.final_layer_norm."),
    (r"^norm\.", "layer_norm."),
]


def as_original_checkpoint(model: VisionSupernet) -> dict:
    """Our weights under the original's names, plus the entries the original also saves."""
    state = {}
    for key, value in model.state_dict().items():
        for pattern, repl in OURS_TO_ORIGINAL:
            key = re.sub(pattern, repl, key)
        state["encoder." + key] = value
    for i in range(len(model.layers)):
        state[f"encoder.layers.{i}.self_attn_cosformer.weight_index"] = torch.arange(1.0, 4097.0).view(1, -1, 1, 1)
        state[f"encoder.layers.{i}.self_attn_relative.in_proj_weight"] = torch.zeros(3, 3)
    state["encoder.version"] = torch.tensor([3.0])
    return {"model": state, "args": None}


def test_converted_checkpoint_loads_strictly_and_gives_the_same_outputs() -> None:
    torch.manual_seed(0)
    source = VisionSupernet(SPACE, CFG).eval()
    target = VisionSupernet(SPACE, CFG).eval()
    target.load_state_dict(convert_state_dict(as_original_checkpoint(source)), strict=True)
    images = torch.randn(2, 1, 8, 8)
    arch = SPACE.largest("cosformer")
    torch.testing.assert_close(target(images, arch), source(images, arch))


def test_unknown_attention_module_is_an_error() -> None:
    import pytest

    with pytest.raises(KeyError, match="self_attn_strange"):
        convert_state_dict({"encoder.layers.0.self_attn_strange.in_proj_weight": torch.zeros(1)})
