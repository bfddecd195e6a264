"""Original FNAC checkpoints (OpenNLPLab/FNAC_AVL train.py: `{'model': state_dict, 'optimizer', 'epoch', ...}`,
keys possibly prefixed `module.` by DistributedDataParallel) -> the state dict of `fnac_avl.model.FNACModel`.

    python -m fnac_avl.convert checkpoints/flickr_10k/best.pth fnac_flickr10k.pt

Key map: imgnet.* -> image_encoder.*, img_proj.* -> image_proj.*, audnet.* -> audio_encoder.*,
aud_proj.* -> audio_proj.*. The original's `imgnet.fc`/`audnet.fc`/pooling layers are identities and
hold no weights. `load_image_weights` loads torchvision's ResNet-18 release into the image encoder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

PREFIXES = {"imgnet.": "image_encoder.", "img_proj.": "image_proj.", "audnet.": "audio_encoder.",
            "aud_proj.": "audio_proj."}


def convert_state_dict(original: dict) -> dict:
    """Rename the original's keys to ours; a checkpoint dict with a 'model' entry is unwrapped first."""
    if "model" in original and isinstance(original["model"], dict):
        original = original["model"]
    out = {}
    for key, value in original.items():
        key = key.removeprefix("module.")
        for old, new in PREFIXES.items():
            if key.startswith(old):
                out[new + key[len(old):]] = value
                break
        else:
            raise KeyError(f"convert_state_dict: unexpected key {key!r}; expected keys starting with "
                           f"{', '.join(PREFIXES)} (an FNAC checkpoint from the original train.py)")
    return out


def check_shapes(converted: dict, model: torch.nn.Module) -> None:
    """Fail, naming the key, when a converted tensor does not fit the model built from the config."""
    ours = model.state_dict()
    missing = sorted(set(ours) - set(converted))
    if missing:
        raise KeyError(f"converted checkpoint lacks {len(missing)} keys, e.g. {missing[0]!r}")
    for key, value in converted.items():
        if key in ours and tuple(ours[key].shape) != tuple(value.shape):
            raise ValueError(f"{key}: checkpoint shape {tuple(value.shape)}, model expects {tuple(ours[key].shape)}")


def load_image_weights(trunk: torch.nn.Module, path: str | Path) -> None:
    """Load torchvision ResNet-18 weights (its `fc.*` classifier is dropped) into the image trunk."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model.image_weights: {path} does not exist; expected torchvision's resnet18 "
                                "ImageNet checkpoint (resnet18-f37072fd.pth), see fnac_avl/prepare.py")
    state = torch.load(path, map_location="cpu", weights_only=True)
    state = {k: v for k, v in state.items() if not k.startswith("fc.")}
    trunk.load_state_dict(state, strict=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("original", type=Path, help="best.pth / latest.pth of the original train.py")
    parser.add_argument("out", type=Path)
    parser.add_argument("--embed-dim", type=int, default=512, help="--out_dim the checkpoint was trained with")
    args = parser.parse_args(argv)
    from fnac_avl.config import ModelConfig
    from fnac_avl.model import FNACModel

    # trusted original checkpoint: it stores an optimizer state and python scalars beside the weights
    original = torch.load(args.original, map_location="cpu", weights_only=False)
    converted = convert_state_dict(original)
    model = FNACModel(ModelConfig(embed_dim=args.embed_dim))
    check_shapes(converted, model)
    model.load_state_dict(converted, strict=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": converted}, args.out)
    print(f"wrote {args.out}: {len(converted)} tensors")


if __name__ == "__main__":
    main()
