"""Checkpoints of the original implementation (OpenNLPLab/fairseq-evo, saved by fairseq-train) -> our keys.

    python -m transnormer.convert ORIGINAL.pt OUT.pt

Handles the autoregressive LM (`norm_attention_lm`, arch transnormer_t1/t2: keys `decoder.*`) and the
bidirectional LM (`roberta_norm_attention`, arch roberta_transnormer_t1/t2: keys `encoder.*`).
The result loads into TransNormerLM / TransNormerBidirectional with strict=True.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import torch

# fairseq bookkeeping that holds no weights (sinusoidal tables are recomputed, versions are markers)
_DROP = re.compile(r"(^|\.)(version|_float_tensor)$|^decoder\.embed_positions\.")

_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(?:decoder|encoder\.sentence_encoder)\.layers\.(\d+)\.self_attn\.urpe\.theta$"),
     r"layers.\1.self_attn.positional.theta"),
    (re.compile(r"^(?:decoder|encoder\.sentence_encoder)\.layers\.(\d+)\.self_attn\.urpe\.v$"),
     r"layers.\1.self_attn.positional.householder"),
    (re.compile(r"^(?:decoder|encoder\.sentence_encoder)\.layers\.(\d+)\.(.+)$"), r"layers.\1.\2"),
    (re.compile(r"^decoder\.(embed_tokens\.weight|output_projection\.weight)$"), r"\1"),
    (re.compile(r"^decoder\.layer_norm\.(.+)$"), r"layer_norm.\1"),
    (re.compile(r"^encoder\.sentence_encoder\.(embed_tokens|embed_positions|layernorm_embedding)\.(.+)$"), r"\1.\2"),
    (re.compile(r"^encoder\.lm_head\.dense\.(.+)$"), r"lm_dense.\1"),
    (re.compile(r"^encoder\.lm_head\.layer_norm\.(.+)$"), r"lm_layer_norm.\1"),
    (re.compile(r"^encoder\.lm_head\.bias$"), "lm_bias"),
]


def _original_state_dict(original: dict) -> dict:
    """A fairseq checkpoint keeps the weights under 'model'; a bare state dict is accepted too."""
    sd = original.get("model", original)
    if not isinstance(sd, dict) or not all(isinstance(v, torch.Tensor) for v in sd.values()):
        raise ValueError("expected a fairseq checkpoint with a 'model' state dict, or a state dict of tensors")
    return sd


def convert_state_dict(original: dict) -> dict[str, torch.Tensor]:
    """Map the original's keys and shapes to ours; unknown keys are an error naming the key."""
    sd = _original_state_dict(original)
    out: dict[str, torch.Tensor] = {}
    for key, value in sd.items():
        if _DROP.search(key) or key == "encoder.lm_head.weight":  # the LM head is tied to embed_tokens
            continue
        for pattern, target in _RULES:
            if pattern.match(key):
                new_key = pattern.sub(target, key)
                break
        else:
            raise KeyError(f"original checkpoint key {key!r} has no counterpart in transnormer's model")
        if new_key.endswith("positional.theta"):
            value = value.reshape(-1)  # the original stores (1, 1, head_dim // 2)
        out[new_key] = value
    if any(k.startswith("decoder.") for k in sd) and "embed_tokens.weight" in out:
        # the causal LM ties its output projection to the embedding
        out.setdefault("output_projection.weight", out["embed_tokens.weight"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("original", type=Path, help="checkpoint written by fairseq-train (fairseq-evo)")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    if not args.original.is_file():
        raise SystemExit(f"error: {args.original} does not exist")
    # original fairseq checkpoints pickle argparse.Namespace / omegaconf: trusted file, full unpickling
    original = torch.load(args.original, map_location="cpu", weights_only=False)
    converted = convert_state_dict(original)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(converted, args.out)
    print(f"wrote {len(converted)} tensors to {args.out}")


if __name__ == "__main__":
    main()
