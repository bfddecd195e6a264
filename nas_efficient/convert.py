"""mixFormer checkpoints -> our state dict.

    python -m nas_efficient.convert ORIGINAL.pt OUT.pt

The original (`transformersuper_cifar10`, fairseq) stores the model under `model` with keys
`encoder.embed_tokens.proj.*`, `encoder.cls_token`, `encoder.pos_embed`,
`encoder.layers.{i}.self_attn_{cosformer,multihead,relative}.*`, `.self_attn_layer_norm.*`, `.fc1.*`,
`.fc2.*`, `.final_layer_norm.*`, `encoder.layer_norm.*`, `encoder.head.*`. A real checkpoint also holds
every layer's `encoder.layers.{i}.self_attn.*`: the original assigns the attention module the layer last
ran to `self.self_attn`, which registers it a second time, so the state dict carries that module's tensors
under both names. Those aliases are checked to equal one of the layer's named attention modules and
dropped. Also dropped: the cosFormer `weight_index` position tensors (recomputed), the `version` buffer,
and the relative-position attention (`self_attn_relative`, attn_cal 3), which this reproduction does not
include. The key set of a real checkpoint is recorded in tests/nas_efficient/golden/original_supernet.json.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import torch

ATTENTION_NAMES = {"self_attn_cosformer": "cosformer", "self_attn_multihead": "softmax"}
DROPPED = (re.compile(r".*weight_index$"), re.compile(r".*version$"), re.compile(r".*self_attn_relative\..*"))
RENAMES = [
    (re.compile(r"^embed_tokens\.proj\."), "patch_embed.proj."),
    (re.compile(r"^layers\.(\d+)\.self_attn_layer_norm\."), r"layers.\1.attention_norm."),
    (re.compile(r"^layers\.(\d+)\.final_layer_norm\."), r"layers.\1.ffn_norm."),
    (re.compile(r"^layer_norm\."), "norm."),
]


def convert_attention_state_dict(original: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """One original attention module's keys (in_proj_*, out_proj.*, weight_index) -> SuperSelfAttention's."""
    return {k: v for k, v in original.items() if not k.endswith("weight_index")}


ALIAS = re.compile(r"^layers\.(\d+)\.self_attn\.(.*)$")
ALIASED_MODULES = ("self_attn_cosformer", "self_attn_multihead", "self_attn_relative")


def check_alias(state: dict[str, torch.Tensor], key: str, value: torch.Tensor) -> None:
    """`layers.i.self_attn.X` must be one of the layer's attention modules' `X` (the module it aliases)."""
    layer, rest = ALIAS.match(key).groups()
    candidates = [state[name] for m in ALIASED_MODULES
                  if (name := f"layers.{layer}.{m}.{rest}") in state]
    if not any(c.shape == value.shape and torch.equal(c, value) for c in candidates):
        raise ValueError(f"checkpoint key {key!r} should repeat layers.{layer}.<one of {', '.join(ALIASED_MODULES)}>"
                         f".{rest} (the module the layer last ran), but matches none of them")


def convert_state_dict(original: dict) -> dict[str, torch.Tensor]:
    state = {k.removeprefix("encoder."): v for k, v in original.get("model", original).items()}
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if ALIAS.match(key):
            check_alias(state, key, value)
            continue
        if any(p.match(key) for p in DROPPED):
            continue
        match = re.match(r"^layers\.(\d+)\.(self_attn_(?!layer_norm)\w+?)\.(.*)$", key)
        if match:
            layer, name, rest = match.groups()
            if name not in ATTENTION_NAMES:
                raise KeyError(f"unexpected attention module {name!r} in key {key!r}")
            out[f"layers.{layer}.attention.{ATTENTION_NAMES[name]}.{rest}"] = value
            continue
        for pattern, replacement in RENAMES:
            key = pattern.sub(replacement, key)
        out[key] = value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("original", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    # trusted original checkpoints hold argparse.Namespace objects: weights_only=False on purpose
    original = torch.load(args.original, map_location="cpu", weights_only=False)
    torch.save(convert_state_dict(original), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
