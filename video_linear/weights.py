"""The released files' layouts (`released_layouts.json`) and random stand-ins written in them (dryrun).

`released_layouts.json` (made by tests/video_linear/golden/make_released_layouts.py from the original
code's state dicts) holds the key names and shapes of:
- image21k: `lvit_v2_base_in21k_finetune300k.pth`, the ImageNet-21k backbone XVIT.PRETRAIN loads (a plain
  state dict; the *_finetune1k variant keeps its 1000-class `head`);
- k400_video / k400_video_shared_gate: a K400 checkpoint of the original trainer (`checkpoint_epoch_00040.pyth`,
  `{"epoch", "model_state", "optimizer_state", "cfg"}`; separate or shared q/k gates), incl. the unused `new_fc`.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from shared.testing import seeded_state_dict

LAYOUTS = Path(__file__).resolve().with_name("released_layouts.json")


def released_layout(name: str) -> dict[str, list[int]]:
    layouts = json.loads(LAYOUTS.read_text())
    if name not in layouts:
        raise KeyError(f"{LAYOUTS}: no layout {name!r}; expected one of {sorted(layouts)}")
    return layouts[name]


def write_released_layout(name: str, path: Path, seed: int = 0) -> Path:
    """Random tensors (order-1 activations) with exactly the key set, shapes and file format of `name`."""
    spec = [[key, shape, "float32"] for key, shape in released_layout(name).items()]
    state = seeded_state_dict(spec, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    if name == "image21k":
        torch.save(state, path)
    else:  # slowfast/utils/checkpoint.py save_checkpoint
        torch.save({"epoch": 40, "model_state": state, "optimizer_state": {}, "cfg": ""}, path)
    return path
