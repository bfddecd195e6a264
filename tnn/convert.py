"""fairseq-evo TNN checkpoints -> our state dicts.

    python -m tnn.convert checkpoint_best.pt converted.pt

Handles fairseq-evo's `tnn_lm` / `tnn_v2_lm` decoders (keys `decoder.*`), checkpoints of our own
fairseq plugin (keys `decoder.lm.*`), the `roberta_tnn_v2` encoders (keys `encoder.sentence_encoder.*`,
`encoder.lm_head.*`), and OpenNLPLab/im's image classifiers (`TNNVit`: keys `to_patch_embedding.1.*`,
`layers.N.token_mixer.*`, `head.1.*`; a DeiT-style checkpoint keeps them under `model`). The same functions convert a bare module's
state dict (a `Tno`, `Gtu`/`GtuV2`, `GLU`) through `convert_module_keys`.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import torch

# fairseq-evo module paths -> ours, applied in order to every key
_RULES: list[tuple[str, str]] = [
    (r"\bself_attn\.gtu\.", "gtu."),  # GtuV2Module wraps GtuV2 as .gtu
    (r"\btoep\.", "tno."),
    (r"\brpe\.layers\.(\d+)\.2\.", r"rpe.layers.\1.linear."),  # Sequential(norm, act, linear)
    (r"\brpe\.out\.2\.", "rpe.out.linear."),
    (r"(^|\.)o\.(weight|bias)$", r"\1out_proj.\2"),
    (r"\bself_attn_layer_norm\.", "token_norm."),
    (r"\bfinal_layer_norm\.", "channel_norm."),
]
# fairseq bookkeeping and tied copies: not weights of ours
_DROP = re.compile(r"(^|\.)version$|_float_tensor$|output_projection\.weight$|lm_head\.weight$")


def convert_module_keys(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename keys of a Tno / GtuV2 / GLU / TnnV2 layer; the frozen decay (h, 1, d) becomes a (h*d,) buffer."""
    out = {}
    for key, value in state.items():
        if _DROP.search(key):
            continue
        for pattern, repl in _RULES:
            key = re.sub(pattern, repl, key)
        if key == "gamma" or key.endswith(".gamma"):
            value = value.reshape(-1)
        out[key] = value
    return out


# OpenNLPLab/im tnn_1d TNNVit -> tnn.image.TnnVit; toep1 mixes along W (our `tno`), toep2 along H (`tno_h`)
_IMAGE_RULES: list[tuple[str, str]] = [
    (r"^to_patch_embedding\.1\.", "patch_embed."),
    (r"\.token_mixer\.toep1\.", ".gtu.tno."),
    (r"\.token_mixer\.toep2\.", ".gtu.tno_h."),
    (r"\.token_mixer\.o\.", ".gtu.out_proj."),
    (r"\.token_mixer\.", ".gtu."),
    (r"\.feature_mixer\.", ".glu."),
    (r"^head\.1\.", "head."),
]


def convert_image_state_dict(original: dict) -> dict[str, torch.Tensor]:
    """An OpenNLPLab/im TNNVit state dict (or its DeiT checkpoint with `model`) -> `tnn.image.TnnVit`'s."""
    state = original.get("model", original)
    if not any(k.startswith("to_patch_embedding.") for k in state):
        raise ValueError("convert_image_state_dict: expected OpenNLPLab/im TNNVit keys (to_patch_embedding.1.weight, "
                         f"layers.N.token_mixer.*, head.1.*); got keys starting with {next(iter(state))!r}")
    out = {}
    for key, value in state.items():
        for pattern, repl in _IMAGE_RULES:
            key = re.sub(pattern, repl, key)
        out[key] = value
    return convert_module_keys(out)


def convert_state_dict(original: dict) -> dict[str, torch.Tensor]:
    """A fairseq checkpoint (or its `model` dict) -> the state dict of `TnnLM` or `TnnMaskedLM`."""
    state = original.get("model", original)
    if not isinstance(state, dict) or not state:
        raise ValueError("convert_state_dict: expected a fairseq checkpoint with a non-empty 'model' state dict")
    keys = list(state)
    if all(k.startswith("decoder.lm.") for k in keys):  # trained through our own fairseq plugin
        return {k[len("decoder.lm."):]: v for k, v in state.items()}
    if any(k.startswith("decoder.") for k in keys):
        _check_tied(state, "decoder.embed_tokens.weight", "decoder.output_projection.weight")
        prefix_map = [("decoder.layer_norm.", "backbone.final_norm."), ("decoder.", "backbone.")]
    elif any(k.startswith("encoder.sentence_encoder.") for k in keys):
        _check_tied(state, "encoder.sentence_encoder.embed_tokens.weight", "encoder.lm_head.weight")
        prefix_map = [("encoder.sentence_encoder.layernorm_embedding.", "backbone.embed_norm."),
                      ("encoder.sentence_encoder.", "backbone."), ("encoder.lm_head.", "lm_head.")]
    else:
        raise ValueError(f"convert_state_dict: keys start with {keys[0]!r}; expected 'decoder.' (tnn_lm) "
                         "or 'encoder.sentence_encoder.' (roberta_tnn)")
    out = {}
    for key, value in state.items():
        for old, new in prefix_map:
            if key.startswith(old):
                key = new + key[len(old):]
                break
        out[key] = value
    return convert_module_keys(out)


def _check_tied(state: dict, embed: str, output: str) -> None:
    if output in state and embed in state and not torch.equal(state[output], state[embed]):
        raise ValueError(f"{output} differs from {embed}: only models trained with "
                         "--share-decoder-input-output-embed (as in the paper) can be converted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("original", type=Path, help="a fairseq-evo checkpoint (checkpoint_best.pt) or an "
                        "OpenNLPLab/im image classifier checkpoint")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    # fairseq checkpoints hold an argparse.Namespace: trusted files only
    original = torch.load(args.original, map_location="cpu", weights_only=False)
    state = original.get("model", original)
    image = isinstance(state, dict) and any(k.startswith("to_patch_embedding.") for k in state)
    converted = convert_image_state_dict(original) if image else convert_state_dict(original)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(converted, args.out)
    print(f"wrote {len(converted)} tensors to {args.out}")


if __name__ == "__main__":
    main()
