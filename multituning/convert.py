"""Weights from other layouts -> ours.

Two layouts come in:
- a pretrained ResNet as torchvision or timm save it (`conv1`, `bn1`, `layer1.0.conv1`, ..., `fc`): our
  backbones are timm ResNets, whose keys are torchvision's, so only wrappers (`state_dict`, `model`,
  `module.`) are removed;
- SpotTune's policy network (gyhui14/spottune, agent_net.py: `blocks.{s}.0.conv2.1`, `bn2.0`, `linear`),
  mapped onto `PolicyNet`.

    python -m multituning.convert ORIGINAL OUT     # ORIGINAL: .pth/.pt/.bin or .safetensors
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import torch

WRAPPERS = ("state_dict", "model", "net", "agent")

# SpotTune agent key -> PolicyNet key; `{s}` is the stage index
_POLICY_RULES = (
    (re.compile(r"^blocks\.(\d+)\.0\.conv1\.(.+)$"), r"stages.\1.conv1.\2"),
    (re.compile(r"^blocks\.(\d+)\.0\.bn1\.(.+)$"), r"stages.\1.bn1.\2"),
    (re.compile(r"^blocks\.(\d+)\.0\.conv2\.1\.(.+)$"), r"stages.\1.conv2.\2"),
    (re.compile(r"^blocks\.(\d+)\.0\.bn2\.(.+)$"), r"stages.\1.bn2.\2"),
    (re.compile(r"^bn2\.0\.(.+)$"), r"head_norm.\1"),
    (re.compile(r"^linear\.(.+)$"), r"fc.\1"),
    (re.compile(r"^(conv1|bn1)\.(.+)$"), r"\1.\2"),
)


def load_original(path: str | Path) -> dict[str, torch.Tensor]:
    """A state dict from a checkpoint file, unwrapped from the usual containers."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: weights file not found (expected a .pth/.pt/.bin or .safetensors state dict)")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    state = torch.load(path, map_location="cpu", weights_only=True)
    for key in WRAPPERS:
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"{path}: expected a dict of tensors (a state dict), got {type(state).__name__}")
    return state


def convert_policy(original: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out = {}
    for key, value in original.items():
        if key.startswith("parallel_blocks."):
            continue  # the agent builds a second set of blocks that its forward never uses
        for pattern, target in _POLICY_RULES:
            if pattern.match(key):
                out[pattern.sub(target, key)] = value
                break
        else:
            raise KeyError(f"SpotTune agent key {key!r} has no counterpart in PolicyNet "
                           "(expected one block per stage: blocks.<s>.0.*)")
    return out


def convert_state_dict(original: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Our keys for a torchvision/timm ResNet state dict or a SpotTune agent state dict."""
    state = {k.removeprefix("module."): v for k, v in original.items()}
    if any(k.startswith("blocks.") for k in state):
        return convert_policy(state)
    if "conv1.weight" not in state:
        raise KeyError(f"not a ResNet state dict: no 'conv1.weight' among {sorted(state)[:5]}...")
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("original", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    state = convert_state_dict(load_original(args.original))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, args.out)
    print(f"wrote {len(state)} tensors to {args.out}")


if __name__ == "__main__":
    main()
