"""Grounding DINO checkpoints of the original implementation (IDEA-Research/GroundingDINO, e.g.
`groundingdino_swint_ogc.pth`, as `load_model` in process_pascal.py reads it) -> transformers'
`GroundingDinoForObjectDetection` state dict.

    python -m sam_wsss.convert groundingdino_swint_ogc.pth groundingdino_swint_ogc_hf.pt

The key map follows the module names of both implementations (transformers 5's layout of this model); fused
attention projections (Swin's `qkv`, `nn.MultiheadAttention`'s `in_proj_*`) are split into query, key and
value. Dropped: buffers the transformers model rebuilds itself (Swin's relative_position_index, BERT's
position_ids) and BERT's pooler, which the detector never uses. Added: the Swin model's final `layernorm`,
which the original lacks and the detector never uses (its outputs go through `hidden_states_norms`), as identity.
SAM needs no conversion: segment-anything reads the original SAM checkpoints as they are.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import torch

BACKBONE = "model.backbone.conv_encoder.model."
SWIN = BACKBONE + "swin."

_SWIN_BLOCK = {
    "norm1": "layernorm_before", "norm2": "layernorm_after", "attn.proj": "attention.o_proj",
    "attn.relative_position_bias_table": "attention.relative_position_bias.relative_position_bias_table",
    "mlp.fc1": "mlp.fc1", "mlp.fc2": "mlp.fc2",
}
_DEFORMABLE = {
    "self_attn": "deformable_layer.self_attn", "norm1": "deformable_layer.self_attn_layer_norm",
    "linear1": "deformable_layer.fc1", "linear2": "deformable_layer.fc2", "norm2": "deformable_layer.final_layer_norm",
}
_TEXT_ENHANCER = {
    "self_attn": "text_enhancer_layer.self_attn", "linear1": "text_enhancer_layer.fc1",
    "linear2": "text_enhancer_layer.fc2", "norm1": "text_enhancer_layer.layer_norm_before",
    "norm2": "text_enhancer_layer.layer_norm_after",
}
_FUSION = {
    "gamma_v": "fusion_layer.vision_param", "gamma_l": "fusion_layer.text_param",
    "layer_norm_v": "fusion_layer.layer_norm_vision", "layer_norm_l": "fusion_layer.layer_norm_text",
    "attn.v_proj": "fusion_layer.attn.vision_proj", "attn.l_proj": "fusion_layer.attn.text_proj",
    "attn.values_v_proj": "fusion_layer.attn.values_vision_proj",
    "attn.values_l_proj": "fusion_layer.attn.values_text_proj",
    "attn.out_v_proj": "fusion_layer.attn.out_vision_proj", "attn.out_l_proj": "fusion_layer.attn.out_text_proj",
}
_DECODER = {
    "cross_attn": "encoder_attn", "norm1": "encoder_attn_layer_norm", "ca_text": "encoder_attn_text",
    "catext_norm": "encoder_attn_text_layer_norm", "self_attn": "self_attn", "norm2": "self_attn_layer_norm",
    "linear1": "fc1", "linear2": "fc2", "norm3": "final_layer_norm",
}
_PREFIXES = {  # whole-prefix renames, longest first where they overlap
    "transformer.decoder.ref_point_head": "model.decoder.reference_points_head",
    "transformer.decoder.bbox_embed": "model.decoder.bbox_embed",
    "transformer.decoder.norm": "model.decoder.layer_norm",
    "transformer.enc_out_bbox_embed": "model.encoder_output_bbox_embed",
    "transformer.enc_output_norm": "model.enc_output_norm",
    "transformer.enc_output": "model.enc_output",
    "transformer.level_embed": "model.level_embed",
    "transformer.tgt_embed": "model.query_position_embeddings",
    "bert": "model.text_backbone",
    "input_proj": "model.input_proj_vision",
    "feat_map": "model.text_projection",
    "bbox_embed": "bbox_embed",
}
DROPPED = re.compile(r"(relative_position_index|position_ids)$|^bert\.pooler\.")


def _sub(rest: str, table: dict[str, str]) -> str | None:
    """`rest` is '<module>.<param>'; rename the module part through `table` (longest match)."""
    for old in sorted(table, key=len, reverse=True):
        if rest == old or rest.startswith(old + ".") or rest.startswith(old + "_"):
            return table[old] + rest[len(old):]
    return None


def rename(key: str) -> str | None:
    """One original key -> our key (None: no counterpart)."""
    if m := re.fullmatch(r"backbone\.0\.patch_embed\.(proj|norm)\.(\w+)", key):
        part = "patch_embeddings.projection" if m[1] == "proj" else "norm"
        return f"{SWIN}embeddings.{part}.{m[2]}"
    if m := re.fullmatch(r"backbone\.0\.layers\.(\d+)\.blocks\.(\d+)\.(.+)", key):
        new = _sub(m[3], _SWIN_BLOCK)
        return None if new is None else f"{SWIN}encoder.layers.{m[1]}.blocks.{m[2]}.{new}"
    if m := re.fullmatch(r"backbone\.0\.layers\.(\d+)\.downsample\.(.+)", key):
        return f"{SWIN}encoder.layers.{m[1]}.downsample.{m[2]}"
    if m := re.fullmatch(r"backbone\.0\.norm(\d)\.(\w+)", key):
        return f"{BACKBONE}hidden_states_norms.stage{int(m[1]) + 1}.{m[2]}"
    for pattern, table in ((r"transformer\.encoder\.layers\.(\d+)\.(.+)", _DEFORMABLE),
                           (r"transformer\.encoder\.text_layers\.(\d+)\.(.+)", _TEXT_ENHANCER),
                           (r"transformer\.encoder\.fusion_layers\.(\d+)\.(.+)", _FUSION)):
        if m := re.fullmatch(pattern, key):
            new = _sub(m[2], table)
            return None if new is None else f"model.encoder.layers.{m[1]}.{new}"
    if m := re.fullmatch(r"transformer\.decoder\.layers\.(\d+)\.(.+)", key):
        new = _sub(m[2], _DECODER)
        return None if new is None else f"model.decoder.layers.{m[1]}.{new}"
    return _sub(key, _PREFIXES)


def convert_state_dict(original: dict) -> dict:
    """Original GroundingDINO state dict (with or without a `module.` prefix) -> transformers' keys."""
    out: dict[str, torch.Tensor] = {}
    unknown = []
    for key, value in original.items():
        key = key.removeprefix("module.")
        if DROPPED.search(key):
            continue
        if m := re.fullmatch(r"backbone\.0\.layers\.(\d+)\.blocks\.(\d+)\.attn\.qkv\.(weight|bias)", key):
            # fused (3 * dim, ...) -> q, k, v
            target = f"{SWIN}encoder.layers.{m[1]}.blocks.{m[2]}.attention"
            for name, part in zip(("q_proj", "k_proj", "v_proj"), value.chunk(3, dim=0), strict=True):
                out[f"{target}.{name}.{m[3]}"] = part.clone()
            continue
        if m := re.fullmatch(r"(.+)\.in_proj_(weight|bias)", key):
            # nn.MultiheadAttention's fused (3 * dim, ...) input projection -> query, key, value
            target = rename(f"{m[1]}.out_proj.{m[2]}")
            if target is None:
                unknown.append(key)
                continue
            target = target.removesuffix(f".out_proj.{m[2]}")
            for name, part in zip(("query", "key", "value"), value.chunk(3, dim=0), strict=True):
                out[f"{target}.{name}.{m[2]}"] = part.clone()
            continue
        new = rename(key)
        if new is None:
            unknown.append(key)
            continue
        out[new] = value
    final_norm = f"{BACKBONE}hidden_states_norms.stage4.weight"
    if final_norm in out:  # width of the last Swin stage
        width = out[final_norm].shape[0]
        out[f"{SWIN}layernorm.weight"] = torch.ones(width, dtype=out[final_norm].dtype)
        out[f"{SWIN}layernorm.bias"] = torch.zeros(width, dtype=out[final_norm].dtype)
    if unknown:
        raise KeyError(f"{len(unknown)} original keys have no counterpart, e.g. {unknown[:5]}")
    return out


def load_original_checkpoint(path: str | Path) -> dict:
    """Read a trusted original checkpoint ({'model': state_dict}) and convert it, in fp32."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: Grounding DINO checkpoint missing")
    # the original checkpoints pickle more than tensors; weights_only=False only for this trusted file
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    state = checkpoint.get("model", checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f"{path}: expected a dict with a 'model' state dict")
    return {k: v.float() if v.is_floating_point() else v for k, v in convert_state_dict(state).items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="original Grounding DINO checkpoint -> transformers state dict")
    parser.add_argument("original", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    state = load_original_checkpoint(args.original)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, args.out)
    print(f"wrote {len(state)} tensors to {args.out}")


if __name__ == "__main__":
    main()
