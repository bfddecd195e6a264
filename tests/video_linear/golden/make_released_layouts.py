"""Write video_linear/released_layouts.json: key names and shapes of the files the paper configs load.

    python tests/video_linear/golden/make_released_layouts.py

Key names come from the original code's own state dicts in golden.pt (made by OpenNLPLab/Linear_VideoTransformer,
see README.md here): `full/state` (XVIT with separate q/k gates), `shared_gate_tshift/state` (one shared gate)
and `joint/state` (attention_type 'full_time_space', the image model's block layout). Their block keys are
repeated over the 12 blocks of `lvit_v2_base`; shapes are those of the paper-size model (the converter maps
each original key to one of ours of the same shape, which the golden tests check at their size). Added by
hand from the original source: XVIT's `new_fc` (video_model_builder.py `_prepare_classifier`, Linear(512,
NUM_CLASSES)) and the image model's `head` (lvit_v2.py, Linear(512, 1000) for the *_finetune1k variant).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import torch

from video_linear.config import ModelConfig
from video_linear.convert import convert_image_pretrained, convert_state_dict
from video_linear.model import VideoLinearTransformer

HERE = Path(__file__).resolve().parent
OUT = HERE.parents[2] / "video_linear" / "released_layouts.json"
DEPTH = 12


def expand_blocks(keys: list[str]) -> list[str]:
    """Block keys of block 0 repeated for blocks 0..11; other keys once, in the original's order."""
    block = re.compile(r"blocks\.(\d+)\.")
    first = next(i for i, k in enumerate(keys) if block.search(k))
    block0 = [k for k in keys if (m := block.search(k)) and m.group(1) == "0"]
    others = [k for k in keys if not block.search(k)]
    before = [k for k in others if keys.index(k) < first]
    after = [k for k in others if keys.index(k) > first]
    return before + [block.sub(f"blocks.{i}.", k) for i in range(DEPTH) for k in block0] + after


def shapes(original_keys: list[str], model: VideoLinearTransformer, convert) -> dict[str, list[int]]:
    ours = model.state_dict()
    out = {}
    for key in original_keys:
        converted = convert({key: torch.zeros(1)})
        (new,) = converted or [None]
        if new is None:
            raise KeyError(f"{key}: the converter drops it; add its shape by hand")
        out[key] = list(ours[new].shape)
    return out


def main() -> None:
    golden = torch.load(HERE / "golden.pt", weights_only=True)
    layouts = {}
    for name, variant, share_gate in (("k400_video", "full", False), ("k400_video_shared_gate", "shared_gate_tshift", True)):
        with torch.device("meta"):
            model = VideoLinearTransformer(ModelConfig(num_classes=400, share_gate=share_gate))
        keys = expand_blocks(list(golden[f"{variant}/state"]))
        layout = shapes(keys, model, convert_state_dict)
        layout["new_fc.weight"], layout["new_fc.bias"] = [400, 512], [400]
        layouts[name] = layout
    with torch.device("meta"):
        model = VideoLinearTransformer(ModelConfig(num_classes=400))
    keys = [k.removeprefix("base_model.") for k in expand_blocks(list(golden["joint/state"]))
            if k.startswith("base_model.")]
    layout = shapes(keys, model, convert_image_pretrained)
    layout["head.weight"], layout["head.bias"] = [1000, 512], [1000]
    layouts["image21k"] = layout
    OUT.write_text(json.dumps(layouts, indent=0) + "\n")
    print(f"wrote {OUT}: " + ", ".join(f"{k} {len(v)} tensors" for k, v in layouts.items()))


if __name__ == "__main__":
    main()
