"""Released AVSBench checkpoints (`S4_best.pth`, `MS3_best.pth`, as the original train.py saves
`model.module.state_dict()`) -> this package's AVSModel keys.

    python -m avsbench.convert ORIGINAL.pth OUT.pth

ResNet: `resnet.layer3_1/layer4_1` -> `backbone.layer3/layer4`; the unused `layer3_2/layer4_2` branch is
dropped. PVT-v2: the original PVT code's keys -> timm's module tree (as timm's own filter maps them).
Decoder and TPAVI blocks are renamed one to one.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import torch

_TPAVI = {"align_channel": "audio_proj", "norm_layer": "norm", "g": "value", "theta": "query", "phi": "key",
          "W_z.0": "out_proj", "W_z.1": "out_bn"}
_HEAD = {"0": "conv1", "2": "conv2", "4": "conv3"}


def _pvt_key(k: str) -> str:
    """Original PVT-v2 key (without prefix) -> timm PyramidVisionTransformerV2 key."""
    k = k.replace("patch_embed1", "patch_embed")
    k = re.sub(r"^patch_embed([234])", lambda m: f"stages.{int(m.group(1)) - 1}.downsample", k)
    k = k.replace("dwconv.dwconv", "dwconv")
    k = re.sub(r"^block(\d+)\.(\d+)", lambda m: f"stages.{int(m.group(1)) - 1}.blocks.{m.group(2)}", k)
    return re.sub(r"^norm(\d+)", lambda m: f"stages.{int(m.group(1)) - 1}.norm", k)


def convert_key(k: str) -> str | None:
    """One original key -> ours; None for weights the original builds but never uses."""
    if k.startswith("module."):
        k = k[len("module."):]
    if m := re.match(r"resnet\.(layer[34])_(\d)\.(.*)", k):
        return None if m.group(2) == "2" else f"backbone.{m.group(1)}.{m.group(3)}"
    if k.startswith("resnet."):
        return "backbone." + k[len("resnet."):]
    if k.startswith("encoder_backbone."):
        return "backbone.net." + _pvt_key(k[len("encoder_backbone."):])
    if m := re.match(r"conv([1-4])\.conv2d_list\.(\d+)\.(.*)", k):
        return f"aspp.{int(m.group(1)) - 1}.branches.{m.group(2)}.{m.group(3)}"
    if m := re.match(r"path([1-4])\.resConfUnit([12])\.(.*)", k):
        unit = "skip_unit" if m.group(2) == "1" else "unit"
        return f"fusion.{int(m.group(1)) - 1}.{unit}.{m.group(3)}"
    if m := re.match(r"tpavi_b([1-4])\.(align_channel|norm_layer|g|theta|phi|W_z\.[01])\.(.*)", k):
        return f"tpavi.{int(m.group(1)) - 1}.{_TPAVI[m.group(2)]}.{m.group(3)}"
    if m := re.match(r"output_conv\.([024])\.(.*)", k):
        return f"head.{_HEAD[m.group(1)]}.{m.group(2)}"
    raise KeyError(f"original checkpoint key {k!r} has no counterpart in avsbench.model.AVSModel")


def convert_state_dict(original: dict) -> dict:
    out = {}
    for k, v in original.items():
        new = convert_key(k)
        if new is not None:
            out[new] = v
    return out


def load_original(path: str | Path) -> dict:
    """An original checkpoint file: a plain state dict, or one under 'state_dict' / 'model'."""
    # trusted research checkpoints; the original saves plain tensors, but older torch pickles may need full loading
    state = torch.load(str(path), map_location="cpu", weights_only=False)
    for key in ("state_dict", "model"):
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"{path}: expected a state dict of tensors (as the original train.py saves)")
    return state


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("original", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    converted = convert_state_dict(load_original(args.original))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(converted, args.out)
    print(f"wrote {len(converted)} tensors to {args.out}")


if __name__ == "__main__":
    main()
