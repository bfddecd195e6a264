"""Original HAN checkpoints (MMIL_Net state dicts saved by AVVP-ECCV20's main_avvp.py) -> our HAN.

    python -m avvp_clip.convert models/MMIL_Net.pt han.pt

MMIL_Net keeps our parameter names. It also builds `audio_encoder`, `visual_encoder` and `cmt_encoder`
and the final norms of `hat_encoder` (norm1/norm2; its `norm` is None), which its forward never
uses: those are dropped. A DataParallel `module.` prefix is removed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from avvp_clip.model import HAN, HANConfig

UNUSED_PREFIXES = ("audio_encoder.", "visual_encoder.", "cmt_encoder.", "hat_encoder.norm1.", "hat_encoder.norm2.")


def convert_state_dict(original: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out = {}
    for key, value in original.items():
        key = key.removeprefix("module.")
        if key.startswith(UNUSED_PREFIXES):
            continue
        out[key] = value
    return out


def infer_config(state: dict[str, torch.Tensor]) -> HANConfig:
    """The HANConfig whose shapes match a converted state dict."""
    try:
        d_model, audio_dim = state["fc_a.weight"].shape
        visual_dim = state["fc_v.weight"].shape[1]
        motion_dim = state["fc_st.weight"].shape[1]
        num_classes = state["fc_prob.weight"].shape[0]
        ffn_dim = state["hat_encoder.layers.0.linear1.weight"].shape[0]
    except KeyError as err:
        raise KeyError(f"not a HAN/MMIL_Net state dict: key {err} missing") from None
    num_layers = len({k.split(".")[2] for k in state if k.startswith("hat_encoder.layers.")})
    return HANConfig(audio_dim=audio_dim, visual_dim=visual_dim, motion_dim=motion_dim, d_model=d_model,
                     ffn_dim=ffn_dim, num_layers=num_layers, num_classes=num_classes)


def load_original(path: str | Path) -> dict[str, torch.Tensor]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint")
    # trusted checkpoint of the original code (a plain state dict, possibly nested)
    state = torch.load(path, map_location="cpu", weights_only=False)
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or "fc_prob.weight" not in {k.removeprefix("module.") for k in state}:
        raise ValueError(f"{path}: expected an MMIL_Net state dict (with key 'fc_prob.weight')")
    return state


def load_han(path: str | Path) -> HAN:
    """A HAN with the weights of an original checkpoint (strict load)."""
    state = convert_state_dict(load_original(path))
    model = HAN(infer_config(state))
    model.load_state_dict(state, strict=True)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description="Convert an AVVP-ECCV20 MMIL_Net checkpoint to avvp_clip's HAN")
    parser.add_argument("original", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    state = convert_state_dict(load_original(args.original))
    HAN(infer_config(state)).load_state_dict(state, strict=True)  # fails loudly on a mismatch
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, args.out)
    print(f"wrote {args.out} ({len(state)} tensors)")


if __name__ == "__main__":
    main()
