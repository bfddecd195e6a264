"""Initialisation before fine-tuning, as the original's configs ask for it (`InitConfig`).

- image21k (XVIT.PRETRAIN with XVIT.BASE_MODEL `lvit_v2_base_patch16_224_in21k_finetune1k`): the ImageNet
  `lvit_v2` image backbone, loaded non-strictly as timm's `build_model_with_cfg(pretrained_strict=False)`
  does: the temporal attention, its norm and the gates (absent from an image model) and the video head keep
  their initialisation; the file's 1000-class `head` is dropped (the original replaces it by dropout), and
  tensors with no place in the model are ignored (a same-named tensor of another shape is an error).
- video (TRAIN.CHECKPOINT_FILE_PATH): a video checkpoint of the original (or of this trainer); every tensor
  whose name and shape match ours is loaded, the rest keeps its initialisation, as `load_checkpoint` of
  `slowfast/utils/checkpoint.py` does (a different class count leaves the last head layer).
Both print what they loaded and what they left.
"""

from __future__ import annotations

from pathlib import Path

import torch

from video_linear.config import InitConfig
from video_linear.convert import ConversionError, convert_image_pretrained, convert_state_dict, load_into, unwrap

PREPARE_HINT = {
    "image21k": "the ImageNet-21k lvit_v2 weights of the original (lvit_v2_base_in21k_finetune300k.pth); "
                "put the file there by hand (no public download is known)",
    "video": "a K400 checkpoint of the original (checkpoint_epoch_00040.pyth) or of "
             "`python -m video_linear.train --config video_linear/configs/k400.py --set model.share_gate=true`",
}


def read_checkpoint(path: Path, source: str) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"init.file {path}: not found; expected {PREPARE_HINT[source]}")
    # trusted files of the original code (pickled SlowFast checkpoints), never user uploads
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    if not isinstance(checkpoint, dict):
        raise ConversionError(f"{path}: expected a dict of tensors, got {type(checkpoint).__name__}")
    return checkpoint


def video_state(checkpoint: dict) -> dict[str, torch.Tensor]:
    """Our keys from an original video checkpoint (`model_state`, `base_model.*`) or one of this trainer (`model`)."""
    if "model" in checkpoint and isinstance(checkpoint["model"], dict) and not any(
            k.startswith(("base_model.", "module.base_model.")) for k in checkpoint["model"]):
        return dict(checkpoint["model"])
    return convert_state_dict(checkpoint)


def load_matching(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> tuple[list[str], list[str]]:
    """Load every tensor whose name and shape match; returns (loaded, left at init) model keys."""
    own = model.state_dict()
    matched = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    model.load_state_dict(matched, strict=False)
    return sorted(matched), sorted(k for k in own if k not in matched)


def initialise(model: torch.nn.Module, init: InitConfig) -> dict[str, int]:
    """Load `init` into `model`; returns counts of loaded and left tensors (also printed)."""
    if init.source == "none":
        return {}
    path = Path(init.file)
    checkpoint = read_checkpoint(path, init.source)
    if init.source == "image21k":
        state = convert_image_pretrained(unwrap(checkpoint))  # a key of no known module raises, naming it
        own = model.state_dict()
        extra = sorted(k for k in state if k not in own)  # e.g. blocks beyond a shallower model's depth
        if extra:  # timm's non-strict load ignores them too
            print(f"init: {len(extra)} tensors of {path} have no place in this model, ignored: {', '.join(extra[:6])}")
        fitting = {k: v for k, v in state.items() if k in own}
        left = load_into(model, fitting, strict=False)  # a shape mismatch raises, naming the key
        loaded = sorted(fitting)
    elif init.source == "video":
        loaded, left = load_matching(model, video_state(checkpoint))
    else:
        raise ValueError(f"init.source: expected none, image21k or video, got {init.source!r}")
    if not loaded:
        raise ConversionError(f"{path}: no tensor of the file fits the model; is it the right file for init.source="
                              f"{init.source!r}?")
    print(f"init from {path} ({init.source}): {len(loaded)} tensors loaded, {len(left)} left at their "
          f"initialisation: {', '.join(left[:12])}{' ...' if len(left) > 12 else ''}")
    return {"init_loaded": len(loaded), "init_left": len(left)}
