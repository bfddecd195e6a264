"""Released AVSBench checkpoints (`S4_best.pth`, `MS3_best.pth`, as the original train.py saves
`model.module.state_dict()`) -> this package's AVSModel keys.

    python -m avsbench.convert ORIGINAL.pth OUT.pth

ResNet: `resnet.layer3_1/layer4_1` -> `backbone.layer3/layer4`; the unused `layer3_2/layer4_2` branch is
dropped. PVT-v2: the original PVT code's keys -> timm's module tree (as timm's own filter maps them).
Decoder and TPAVI blocks are renamed one to one.

Also the loaders of the released files the recipe starts from (torchvggish's vggish-10086976.pth,
torchvision's resnet50-19c8e357.pth, the PVT-v2 release's pvt_v2_b5.pth) and of a trained S4 model
that initialises an MS3 run (`load_pretrained`).
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


def load_vggish(system: torch.nn.Module, path: str | Path) -> None:
    state = torch.load(str(path), map_location="cpu", weights_only=True)
    state = {k: v for k, v in state.items() if not k.startswith("pproc.")}  # PCA post-processor: unused by AVSBench
    system.vggish.load_state_dict(state, strict=True)


def load_backbone(system: torch.nn.Module, path: str | Path) -> None:
    """ImageNet weights: torchvision resnet50-19c8e357.pth, or the PVT-v2 release's pvt_v2_b5.pth."""
    state = torch.load(str(path), map_location="cpu", weights_only=True)
    state = state.get("model", state) if isinstance(state, dict) else state
    backbone = system.avs.backbone
    if system.avs.cfg.backbone == "resnet50":
        mapped = {k: v for k, v in state.items() if not k.startswith("fc.")}
    else:
        mapped = {"net." + _pvt_key(k): v for k, v in state.items() if not k.startswith("head.")}
    missing, unexpected = backbone.load_state_dict(mapped, strict=False)
    if missing or unexpected:
        raise ValueError(f"{path}: backbone weights do not fit; missing {missing[:5]}, unexpected {unexpected[:5]}")


def load_s4_model(system: torch.nn.Module, path: str | Path) -> list[str]:
    """MS3 initialised from a trained S4 model (the original's --load_s4_params): every key of the checkpoint
    that this model has, with the same shape, is copied; the others keep their values. Returns the copied keys.

    The checkpoint may be an original `S4_best.pth` (converted here) or one of our runs' (`{"model": ...}`,
    AVSSystem keys, or a best.pt of the trainer).
    """
    state = torch.load(str(path), map_location="cpu", weights_only=False)  # trusted: a run's own or the authors'
    if isinstance(state, dict) and isinstance(state.get("model"), dict):
        state = state["model"]
    if not isinstance(state, dict) or not state:
        raise ValueError(f"{path}: expected a state dict of a trained S4 model")
    ours = system.avs.state_dict()
    if any(k.startswith("avs.") for k in state):  # our AVSSystem keys
        state = {k[len("avs."):]: v for k, v in state.items() if k.startswith("avs.")}
    elif not any(k in ours for k in state):  # the original's keys
        state = convert_state_dict(state)
    copied = {k: v for k, v in state.items() if k in ours and ours[k].shape == v.shape}
    if not copied:
        raise ValueError(f"{path}: none of its keys fits this model; expected a trained S4 AVS model")
    ours.update(copied)
    system.avs.load_state_dict(ours)
    return sorted(copied)


def load_pretrained(system: torch.nn.Module, cfg) -> None:
    """What the experiment config `cfg` (avsbench.config.AVSConfig) loads before training: VGGish, the
    backbone's ImageNet weights, then (MS3 from S4) the trained S4 model over them."""
    if cfg.audio.vggish_weights:
        load_vggish(system, cfg.audio.vggish_weights)
    if cfg.backbone_weights:
        load_backbone(system, cfg.backbone_weights)
    if cfg.init_from:
        load_s4_model(system, cfg.init_from)


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
