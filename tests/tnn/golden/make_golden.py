"""Recompute `original_outputs.pt` with the original TNN modules (OpenNLPLab/fairseq-evo, commit 38fa81f2).

    python tests/tnn/golden/make_golden.py FAIRSEQ_EVO_GIT_DIR [--write]

The file holds, per case, a state dict in the original key layout, the inputs and the original's outputs
(golden/README.md lists the cases and how the weights and inputs were drawn). This script reads the
original files with `git show` from FAIRSEQ_EVO_GIT_DIR (a clone or mirror), copies them into a temporary
folder with their package-relative imports pointed at each other (the unused GtuV3Module stubbed), loads
each case's stored weights into the original module, runs it on the stored inputs in fp32 on CPU and
compares with the stored outputs; `--write` stores the recomputed outputs instead. The LM case runs the
original `TnnV2DecoderLayer`s inside the steps of fairseq's `TransformerDecoder` for `tnn_v2_decay_99_pre`
(embedding x sqrt(d), no positions, the future mask, final LayerNorm, tied output projection).
Needs fairseq-fixed 0.12.3.1 and einops.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for its helpers (a site package is named `tests`)

from original_code import scratch_package  # noqa: E402

COMMIT = "38fa81f2"
FILES = {
    "rms_norm.py": "fairseq/modules/norm/rms_norm.py",
    "helpers.py": "fairseq/modules/helpers/helpers.py",
    "act_layer.py": "fairseq/modules/others/act_layer.py",
    "glu.py": "fairseq/modules/ffn/glu.py",
    "rpe.py": "fairseq/modules/tnn/rpe.py",
    "tno.py": "fairseq/modules/tnn/tno.py",
    "gtu_v2.py": "fairseq/modules/tnn/gtu_v2.py",
    "gtu_module_v2.py": "fairseq/modules/tnn/gtu_module_v2.py",
    "tnn_layer_v2.py": "fairseq/modules/tnn/tnn_layer_v2.py",
}
IMPORTS = [
    (r"from \.\.norm import [^\n]+", "from .rms_norm import GatedRMSNorm, RMSNorm, SimpleRMSNorm\nScaleNorm = None"),
    (r"from \.\.helpers import", "from .helpers import"),
    (r"from \.\.others import ActLayer", "from .act_layer import ActLayer"),
    (r"from \.\.ffn import", "from .glu import"),
    (r"from \.gtu_module_v3 import GtuV3Module", "GtuV3Module = None"),
]


def original_package(git_dir: Path, folder: Path) -> dict:
    load = scratch_package(git_dir, COMMIT, FILES, IMPORTS, folder, "evo_tnn_golden")
    return {name[:-3]: load(name[:-3]) for name in FILES}


def layer_args(dim: int, rpe_dim: int, causal: bool) -> argparse.Namespace:
    """tnn_v2_decay_99_pre (causal, pre-norm) or roberta_tnn_v2_decay_99 (bidirectional, post-norm) at width `dim`."""
    return argparse.Namespace(
        decoder_embed_dim=dim, encoder_embed_dim=dim, decoder_attention_heads=1, encoder_attention_heads=1,
        dropout=0.0, attention_dropout=0.0, decoder_normalize_before=True, encoder_normalize_before=False,
        act_fun="silu", causal=causal, expand_ratio=3, use_norm=False, norm_type="simplermsnorm", use_decay=True,
        gamma=0.99, rpe_embedding=rpe_dim, rpe_layers=6, residual=False, glu_act="silu", glu_dim=dim,
    )


def recompute(case: str, data: dict, m: dict) -> torch.Tensor:
    sd = data["state_dict"]
    if case.startswith("tno"):
        module = m["tno"].Tno(h=2, dim=3, rpe_dim=8, causal=case == "tno_causal", use_decay=True, gamma=0.9, layers=2)
        module.load_state_dict(sd, strict=True)
        return module(data["x"], dim=-2)
    if case == "gtu_bidir":
        module = m["gtu_v2"].GtuV2(embed_dim=8, num_heads=2, causal=False, expand_ratio=3, use_decay=True, gamma=0.99,
                                   rpe_embedding=16, rpe_layers=3)
        module.load_state_dict(sd, strict=True)
        return module(data["x"])
    if case == "glu":
        module = m["glu"].GLU(8, 16, "silu")
        module.load_state_dict(sd, strict=True)
        return module(data["x"])
    if case == "encoder_layer_postnorm":
        module = m["tnn_layer_v2"].TnnV2EncoderLayer(layer_args(16, 8, causal=False))
        module.load_state_dict(sd, strict=True)
        return module(data["x"], None)
    if case == "lm":
        dim, tokens = data["dim"], data["tokens"]
        layers = []
        for i in range(data["layers"]):
            layer = m["tnn_layer_v2"].TnnV2DecoderLayer(layer_args(dim, data["rpe_dim"], causal=True), no_encoder_attn=True)
            prefix = f"decoder.layers.{i}."
            layer.load_state_dict({k[len(prefix):]: v for k, v in sd.items() if k.startswith(prefix)}, strict=True)
            layers.append(layer.eval())
        n = tokens.shape[1]
        future = torch.triu(torch.full((n, n), float("-inf")), 1)  # fairseq's buffered_future_mask
        x = math.sqrt(dim) * sd["decoder.embed_tokens.weight"][tokens]
        x = x.transpose(0, 1)  # T x B x C
        for layer in layers:
            x = layer(x, self_attn_mask=future, self_attn_padding_mask=None)[0]
        x = torch.nn.functional.layer_norm(x, (dim,), sd["decoder.layer_norm.weight"], sd["decoder.layer_norm.bias"])
        return torch.nn.functional.linear(x.transpose(0, 1), sd["decoder.embed_tokens.weight"])
    raise KeyError(case)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path, help="a clone or mirror of OpenNLPLab/fairseq-evo")
    parser.add_argument("--write", action="store_true", help="store the recomputed outputs")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the original logs every constructor argument
    path = Path(__file__).parent / "original_outputs.pt"
    golden = torch.load(path, map_location="cpu", weights_only=False)
    with tempfile.TemporaryDirectory() as tmp:
        modules = original_package(args.git_dir, Path(tmp))
        for case, data in golden.items():
            with torch.no_grad():
                out = recompute(case, data, modules)
            key = "logits" if case == "lm" else "y"
            diff = (out - data[key]).abs().max().item()
            print(f"{case}: max |original now - stored| = {diff:.3g} (stored scale {data[key].abs().max():.3g})")
            if args.write:
                data[key] = out
    if args.write:
        torch.save(golden, path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
