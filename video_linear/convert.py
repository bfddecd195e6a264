"""Original checkpoints -> our state dict.

    python -m video_linear.convert ORIGINAL.pyth OUT.pt            # a released video checkpoint
    python -m video_linear.convert --image-pretrained LVIT_21K.pth OUT.pt   # ImageNet-21k image weights

Video checkpoints are what the original SlowFast trainer saves (`{"model_state": ...}`, keys
`base_model.*` for the `lvit_v2` backbone, `consensus.mlp_head.*` for the `VVTHead` and the unused
`new_fc.*` (dropped, see DROPPED_VIDEO_KEYS), possibly `module.`-prefixed). Image checkpoints are the
`lvit_v2_base_patch16_224_in21k*` backbones (no prefix); they initialise the backbone only, as the
original loads them with `pretrained_strict=False` (`pretrained.py`).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import torch

_BLOCK = [
    (r"norm1\.", "spatial_norm."),
    (r"attn\.pgate\.", "spatial_attn.gate."),
    (r"attn\.", "spatial_attn."),
    (r"temporal_norm1\.", "temporal_norm."),
    (r"temporal_attn\.pgate\.", "temporal_attn.gate."),
    (r"temporal_attn\.", "temporal_attn."),
    (r"norm2\.", "mlp_norm."),
    (r"mlp\.dwconv\.dwconv\.", "mlp.dwconv."),
    (r"mlp\.", "mlp."),
]
_BACKBONE = [
    (r"patch_embed\.proj\.", "patch_embed."),
    (r"patch_embed\.norm\.", "patch_norm."),
    (r"temp_embed$", "temp_embed"),
    (r"norm\.", "norm."),
]
_HEAD = {"0": "0", "1": "1", "4": "4"}  # VVTHead.mlp_head: LayerNorm, Linear, GELU, Dropout, Linear
# parameter-free modules of the original (dropout head, identity control points) and unused extras
_SKIP = re.compile(r"^(head\.|new_fc\.|pre_logits\.|pos_embed|cls_token)")
# Top-level tensors of a video checkpoint that have no counterpart here, dropped knowingly: XVIT builds
# `new_fc = nn.Linear(512, NUM_CLASSES)` whenever MODEL.DROPOUT_RATE > 0 (video_model_builder.py
# `_prepare_classifier`), but with CONSENSUS_TYPE 'vit' its forward never calls it (the VVTHead classifies).
DROPPED_VIDEO_KEYS = ("new_fc.weight", "new_fc.bias")


class ConversionError(ValueError):
    pass


def unwrap(checkpoint: dict) -> dict:
    """The state dict inside a checkpoint file, without a DistributedDataParallel `module.` prefix."""
    for key in ("model_state", "model", "state_dict"):
        if key in checkpoint and isinstance(checkpoint[key], dict):
            checkpoint = checkpoint[key]
            break
    return {k.removeprefix("module."): v for k, v in checkpoint.items()}


def _backbone_key(key: str) -> str | None:
    if _SKIP.match(key):
        return None
    m = re.match(r"blocks\.(\d+)\.(.*)$", key)
    if m:
        for pattern, new in _BLOCK:
            if re.match(pattern, m.group(2)):
                return f"blocks.{m.group(1)}.{re.sub('^' + pattern, new, m.group(2))}"
        raise ConversionError(f"unknown block key {key!r}")
    for pattern, new in _BACKBONE:
        if re.match(pattern, key):
            return re.sub("^" + pattern, new, key)
    raise ConversionError(f"unknown backbone key {key!r}")


def convert_state_dict(original: dict) -> dict:
    """A video checkpoint of the original (XVIT with lvit_v2 + VVTHead) -> VideoLinearTransformer keys."""
    out = {}
    for key, value in unwrap(original).items():
        if key in DROPPED_VIDEO_KEYS:
            continue
        if key.startswith("base_model."):
            new = _backbone_key(key.removeprefix("base_model."))
        elif key.startswith("consensus.mlp_head."):
            index, rest = key.removeprefix("consensus.mlp_head.").split(".", 1)
            if index not in _HEAD:
                raise ConversionError(f"unknown head key {key!r}")
            new = f"head.{_HEAD[index]}.{rest}"
        else:
            raise ConversionError(f"{key!r}: expected keys under base_model. or consensus.mlp_head.")
        if new is not None:
            out[new] = value
    return out


def convert_image_pretrained(original: dict) -> dict:
    """ImageNet-21k `lvit_v2` image weights -> our backbone keys (load with strict=False; head dropped)."""
    out = {}
    for key, value in unwrap(original).items():
        new = _backbone_key(key)
        if new is not None:
            out[new] = value
    return out


def load_into(model: torch.nn.Module, converted: dict, strict: bool = True) -> list[str]:
    """Load with shape checks that name the key; returns the model keys the checkpoint did not set."""
    own = model.state_dict()
    for key, value in converted.items():
        if key in own and own[key].shape != value.shape:
            raise ConversionError(
                f"{key}: checkpoint shape {tuple(value.shape)}, model expects {tuple(own[key].shape)}")
    missing, unexpected = model.load_state_dict(converted, strict=strict)
    if unexpected:
        raise ConversionError(f"keys the model does not have: {unexpected[:5]}")
    return list(missing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("original", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--image-pretrained", action="store_true", help="ImageNet-21k lvit_v2 image weights")
    args = parser.parse_args(argv)
    if not args.original.is_file():
        sys.exit(f"error: {args.original} does not exist")
    original = torch.load(args.original, map_location="cpu", weights_only=False)
    converted = convert_image_pretrained(original) if args.image_pretrained else convert_state_dict(original)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(converted, args.out)
    print(f"wrote {len(converted)} tensors to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
