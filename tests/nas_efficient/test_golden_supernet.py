"""The whole supernet against the original `transformersuper_cifar10` (golden/original_supernet.json, made by
golden/make_golden.py from OpenNLPLab/mixFormer c1c57c5): logits of sub-networks with mixed
attention, the original's sub-network parameter count, and the converter on the key set of a real checkpoint."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from nas_efficient.arch import Arch
from nas_efficient.config import SearchSpace, SupernetConfig
from nas_efficient.configs._common import cifar10_supernet
from nas_efficient.convert import convert_state_dict
from nas_efficient.model import VisionSupernet, count_parameters
from shared.testing import GoldenFiles, assert_close_to_golden, seeded_state_dict

GOLDEN = GoldenFiles(Path(__file__).parent / "golden")
# the small original supernet: embed 128, FFN 256, 3 layers, 2 heads x 64, 32 px images in 8 px patches
SMALL_SPACE = SearchSpace([96, 128], [1, 2, 3], [128, 192, 256], [1, 2], ["cosformer", "softmax"])
SMALL_CFG = SupernetConfig(image_size=32, patch_size=8, in_chans=3, num_classes=10, head_dim=64)
POSITIONS = (math.pi / 2) * torch.arange(1, 4097, dtype=torch.float32).reshape(1, -1, 1, 1)


def original_state_dict(spec: list, seed: int, alias_of: dict[str, str], all_keys: list[str]) -> dict:
    """The original's state dict as it saves it: seeded weights, its `weight_index` positions, and every
    layer's `self_attn.*` alias of the module the layer last ran, in the original's key order."""
    state = seeded_state_dict(spec, seed)
    for key in all_keys:
        if key.endswith("weight_index") and ".self_attn." not in key:
            state[key] = POSITIONS.clone()
    for key in all_keys:
        if ".self_attn." in key:
            layer = key.split(".")[2]
            state[key] = state[key.replace(".self_attn.", f".{alias_of[layer]}.")].clone()
    return {"model": {k: state[k] for k in all_keys}}


def small_supernet(arch_name: str) -> VisionSupernet:
    golden = GOLDEN["original_supernet.json"]["small"]
    model = VisionSupernet(SMALL_SPACE, SMALL_CFG).eval()
    original = original_state_dict(golden["spec"], golden["seed"], golden["aliases"][arch_name],
                                   golden["all_keys"][arch_name])
    model.load_state_dict(convert_state_dict(original), strict=True)
    return model


def golden_images() -> torch.Tensor:
    seed = GOLDEN["original_supernet.json"]["small"]["images_seed"]
    return torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("arch_name", ["mixed_96", "mixed_128"])
def test_supernet_logits_match_the_original(arch_name: str) -> None:
    golden = GOLDEN["original_supernet.json"]["small"]
    model = small_supernet(arch_name)
    arch = Arch(**golden["archs"][arch_name])
    with torch.no_grad():
        logits = model(golden_images(), arch)
    assert_close_to_golden(logits, torch.tensor(golden["logits"][arch_name]), rel_tol=1e-4, min_scale=0.3,
                           name=f"logits of {arch_name}")


@pytest.mark.parametrize("arch_name", ["mixed_96", "mixed_128"])
def test_small_subnetwork_parameter_count_is_the_originals(arch_name: str) -> None:
    golden = GOLDEN["original_supernet.json"]["small"]
    arch = Arch(**golden["archs"][arch_name])
    assert count_parameters(SMALL_CFG, SMALL_SPACE, arch) == golden["sampled_params_numel"][arch_name]


def test_paper_subnetwork_parameter_counts_are_the_originals() -> None:
    """get_sampled_params_numel of supernet-S.yml's build: subnet-S.yml with softmax, cosFormer and mixed
    attention, the largest and the smallest sub-networks (22,336,906 for subnet-S with softmax)."""
    golden = GOLDEN["original_supernet.json"]["supernet_s"]
    cfg = cifar10_supernet()
    counts = {name: count_parameters(cfg.model, cfg.space, Arch(**a)) for name, a in golden["archs"].items()}
    assert counts == golden["sampled_params_numel"]
    assert counts["subnet_s_softmax"] == 22_336_906


def test_paper_supernet_has_the_originals_parameters() -> None:
    """Our supernet-S holds exactly the original build's parameters, less what is not reproduced (the
    relative-position attention and the cosFormer position tensors)."""
    golden = GOLDEN["original_supernet.json"]["supernet_s"]
    cfg = cifar10_supernet()
    with torch.device("meta"):
        model = VisionSupernet(cfg.space, cfg.model)
    assert sum(p.numel() for p in model.parameters()) == golden["parameters_reproduced_modules"] == 45_502_922


def real_checkpoint_keys() -> tuple[dict, dict[str, str]]:
    """A supernet-S checkpoint with the real key set and shapes; every tensor a distinct constant (expanded
    from one value: no memory)."""
    golden = GOLDEN["original_supernet.json"]["supernet_s"]
    alias_of = golden["aliases_after_subnet_s_mixed"]
    state = {name: torch.tensor(float(i)).expand(shape) for i, (name, shape, _) in enumerate(golden["keys"])
             if ".self_attn." not in name}
    for name, shape, _ in golden["keys"]:
        if ".self_attn." in name:
            state[name] = state[name.replace(".self_attn.", f".{alias_of[name.split('.')[2]]}.")]
            assert list(state[name].shape) == shape
    return {"model": {name: state[name] for name, _, _ in golden["keys"]}}, alias_of


def test_converter_loads_the_real_key_set_strictly() -> None:
    original, _ = real_checkpoint_keys()
    assert sum(".self_attn." in k for k in original["model"]) == 64  # 14 layers' aliases (cosFormer: 5 keys)
    cfg = cifar10_supernet()
    model = VisionSupernet(cfg.space, cfg.model)
    model.load_state_dict(convert_state_dict(original), strict=True)
    assert model.layers[3].attention["softmax"].out_proj.bias[0].item() == float(
        list(original["model"]).index("encoder.layers.3.self_attn_multihead.out_proj.bias"))


def test_converter_refuses_an_alias_that_repeats_no_module() -> None:
    original, _ = real_checkpoint_keys()
    original["model"]["encoder.layers.5.self_attn.in_proj_bias"] = torch.full((1344,), -1.0)
    with pytest.raises(ValueError, match=r"layers\.5\.self_attn\.in_proj_bias"):
        convert_state_dict(original)
