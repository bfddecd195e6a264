"""Original AVLFormer checkpoints -> our AVLFormer state dict.

    python -m favd.convert ORIGINAL.bin OUT.pt

The original saves `VideoTransformer.state_dict()` (model.bin), possibly under DataParallel ("module.")
or an activation-checkpoint wrapper. Our modules keep the original names (swin.backbone.*, passt.*,
trans_encoder.*, fc, learn_vid_att), so the map strips those wrappers and checks every key and shape.
`convert_video_swin_kinetics` maps the Kinetics-600 Video Swin-B checkpoint (backbone.*) used to initialise training.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

WRAPPERS = ("module.", "_checkpoint_wrapped_module.", "_orig_mod.")


def _clean(key: str) -> str:
    for w in WRAPPERS:
        key = key.replace(w, "")
    return key


def convert_state_dict(original: dict, reference: dict | None = None) -> dict:
    """Map an original VideoTransformer state dict; with `reference` (our model's state dict) check keys and shapes."""
    if "model" in original and isinstance(original["model"], dict):
        original = original["model"]
    out = {_clean(k): v for k, v in original.items()}
    if reference is not None:
        missing = sorted(set(reference) - set(out))
        unexpected = sorted(set(out) - set(reference))
        if missing or unexpected:
            raise KeyError(f"checkpoint does not fit AVLFormer: missing {missing[:8]} unexpected {unexpected[:8]}")
        bad = [(k, tuple(out[k].shape), tuple(v.shape)) for k, v in reference.items() if out[k].shape != v.shape]
        if bad:
            raise ValueError(f"shape mismatch (key, checkpoint, model): {bad[:8]}")
    return out


def convert_video_swin_kinetics(checkpoint: dict) -> dict:
    """`swin_base_patch244_window877_kinetics600_22k.pth` -> the `swin.backbone.*` part of our state dict."""
    state = checkpoint.get("state_dict", checkpoint)
    return {"swin." + k: v for k, v in state.items() if k.startswith("backbone.")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("original", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--config", default=str(Path(__file__).resolve().parent / "configs" / "favd_32frm.py"),
                        help="config whose model checks the keys")
    args = parser.parse_args()
    from favd.model import AVLFormer
    from shared.config import load_config

    cfg = load_config(args.config)
    with torch.device("meta"):
        reference = AVLFormer(cfg.model).state_dict()
    # trusted original checkpoints may hold non-tensor objects: weights_only=False on purpose
    original = torch.load(args.original, map_location="cpu", weights_only=False)
    out = convert_state_dict(original, reference)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(out, args.out)
    print(f"wrote {len(out)} tensors to {args.out}")


if __name__ == "__main__":
    main()


def _bert_key(k: str) -> str | None:
    """A Hugging Face bert-base-uncased key -> ours (gamma/beta of older checkpoints renamed)."""
    k = k.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")
    if k.startswith("bert.") and not k.startswith("bert.embeddings.position_ids"):
        return "trans_encoder." + k
    if k.startswith("cls.predictions."):
        return "trans_encoder." + k
    return None


def load_pretrained(model, video_swin: str = "", passt: str = "", bert: str = "", checkpoint: str = "") -> dict:
    """Initialise from the original's pretrained parts, as its training does (non-strict for the parts);
    a full AVLFormer checkpoint loads strictly. Returns {part: (missing, unexpected)}."""
    report = {}
    own = model.state_dict()

    def load_part(name: str, state: dict) -> None:
        fit = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
        skipped = sorted(set(state) - set(fit))
        model.load_state_dict(fit, strict=False)
        report[name] = (len(fit), skipped)

    if video_swin:
        load_part("video_swin", convert_video_swin_kinetics(torch.load(video_swin, map_location="cpu", weights_only=False)))
    if passt:
        state = torch.load(passt, map_location="cpu", weights_only=False)
        load_part("passt", {"passt.net." + _clean(k): v for k, v in state.items()})
    if bert:
        state = torch.load(bert, map_location="cpu", weights_only=False)
        load_part("bert", {nk: v for k, v in state.items() if (nk := _bert_key(k)) is not None})
    if checkpoint:
        state = torch.load(checkpoint, map_location="cpu", weights_only=False)
        model.load_state_dict(convert_state_dict(state, own), strict=True)
        report["checkpoint"] = (len(own), [])
    return report
