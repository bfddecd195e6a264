"""Reruns the original TransNormer layers on the golden weights and inputs, and makes `padding.pt`.

    python tests/transnormer/golden/make_golden.py FAIRSEQ_EVO_GIT_DIR

Runs OpenNLPLab/fairseq-evo at commit 38fa81f2 (read with `git show` from FAIRSEQ_EVO_GIT_DIR, a clone or
bare mirror). First it checks `fairseq_evo_outputs.pt`'s fairseq-evo cases (`lm_*`, `enc_*`, `blm_*`; see
README.md; the `lra_*` cases come from OpenNLPLab/lra and are not rerun here): each case's stored weights in
the original layers, on its stored inputs, must give its stored outputs (printed: the largest difference).
Then `padding.pt`: its `NormAttentionEncoderLayer`s (fairseq/modules/x_attention/) with the
`roberta_transnormer_t1` / `_t2` settings at the size of `fairseq_evo_outputs.pt`'s `blm_*` cases (4 layers,
width 16, 2 heads, blocks of 8) and those cases' weights, inside the steps of fairseq's
`TransformerEncoder.forward_scriptable` and `RobertaLMHead` (learned positions from `make_positions`,
LayerNorm on the embedding, padding zeroed, the padding mask handed to every layer, post-norm, tied LM head).
The original files are copied into a temporary folder and their package-relative imports pointed at each
other; nothing of them is kept. Needs fairseq-fixed 0.12.3.1 and einops. Writes padding.pt beside this file:
for t1 and t2 the padded `tokens` (2 x 20, right padding of 7 and 0) and the original's `logits`.
"""

from __future__ import annotations

import argparse
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
    "glu.py": "fairseq/modules/ffn/glu.py",
    "urpe.py": "fairseq/modules/positional_encoding/urpe.py",
    "norm_linear_attention.py": "fairseq/modules/x_attention/norm_linear_attention.py",
    "norm_local_attention.py": "fairseq/modules/x_attention/norm_local_attention.py",
    "norm_attention_layer.py": "fairseq/modules/x_attention/norm_attention_layer.py",
}
IMPORTS = [  # package-relative imports of the original -> the flat scratch package
    (r"from \.\.norm import [^\n]+", "from .rms_norm import GatedRMSNorm, RMSNorm, SimpleRMSNorm\nScaleNorm = None"),
    (r"from \.\.helpers import", "from .helpers import"),
    (r"from \.\.ffn import GLU", "from .glu import GLU"),
    (r"from fairseq\.modules import logging_info, print_params", "from .helpers import logging_info, print_params"),
    (r"from fairseq\.modules import \(GatedRMSNorm, RMSNorm, SimpleRMSNorm, Toeplizt,\s*Urpe\)",
     "from .rms_norm import GatedRMSNorm, RMSNorm, SimpleRMSNorm\nfrom .urpe import Urpe\nToeplizt = None"),
    (r"from fairseq\.modules import GatedRMSNorm, RMSNorm, SimpleRMSNorm, Urpe",
     "from .rms_norm import GatedRMSNorm, RMSNorm, SimpleRMSNorm\nfrom .urpe import Urpe"),
    (r"from \.norm_mix_attention import NormMixAttention", "NormMixAttention = None"),
]
PAD = 1


def original_module(git_dir: Path, folder: Path) -> object:
    return scratch_package(git_dir, COMMIT, FILES, IMPORTS, folder, "evo_scratch")("norm_attention_layer")


def decoder_layer_args(variant: str, index: int, layers: int) -> argparse.Namespace:
    """transnormer_t1/t2 (fairseq/models/lm_x_attention/norm_transformer_lm.py) at the golden's size."""
    t2 = variant == "t2"
    args = argparse.Namespace(
        decoder_embed_dim=16, decoder_attention_heads=2, decoder_layers=layers, dropout=0.0, attention_dropout=0.0,
        activation_dropout=0.0, decoder_normalize_before=True, decoder_ffn_embed_dim=64,
        linear_act_fun="1+elu" if t2 else "elu", local_act_fun="relu", use_softmax=t2, max_l=64, has_out=True,
        group_type="chunk", decoder_chunk_size=8, local_norm_type="simplermsnorm", norm_type="simplermsnorm",
        use_glu=True, glu_act="swish", attn_type="simplermsnorm", decoder_use_urpe=True, decoder_core_matrix=1,
        decoder_p_matrix=3, decoder_theta_learned=True,
    )
    args.attention_type = 2 if index < layers // 2 else 1
    args.index = index
    return args


def original_lm_logits(module, case: dict, variant: str) -> torch.Tensor:
    """The original decoder layers inside fairseq's TransformerDecoder steps for transnormer_t1/t2."""
    from fairseq.modules import SinusoidalPositionalEmbedding

    sd = case["state_dict"]
    layers = sorted({int(k.split(".")[2]) for k in sd if k.startswith("decoder.layers.")})
    blocks = []
    for i in layers:
        layer = module.NormAttentionDecoderLayer(decoder_layer_args(variant, i, len(layers)), no_encoder_attn=True)
        prefix = f"decoder.layers.{i}."
        layer.load_state_dict({k[len(prefix):]: v for k, v in sd.items() if k.startswith(prefix)}, strict=True)
        blocks.append(layer.eval())
    tokens = case["tokens"]
    n = tokens.shape[1]
    positions = SinusoidalPositionalEmbedding(16, PAD, init_size=64 + PAD + 1)
    with torch.no_grad():
        x = 4.0 * sd["decoder.embed_tokens.weight"][tokens] + positions(tokens)  # sqrt(16) = 4
        x = x.transpose(0, 1)
        future = torch.triu(torch.full((n, n), float("-inf")), 1)  # buffered_future_mask
        for layer in blocks:
            x = layer(x, self_attn_mask=future, self_attn_padding_mask=None)[0]
        x = x.transpose(0, 1)
        x = x / (x.norm(dim=-1, keepdim=True) * 16**-0.5 + 1e-8)  # the final SimpleRMSNorm
        return torch.nn.functional.linear(x, sd["decoder.output_projection.weight"])


def original_encoder_layer(module, case: dict, variant: str, kind: str) -> torch.Tensor:
    layer = module.NormAttentionEncoderLayer(layer_args(variant, 0 if kind == "diag" else 1, 2)).eval()
    layer.load_state_dict(case["state_dict"], strict=True)
    with torch.no_grad():
        return layer(case["x"].transpose(0, 1), encoder_padding_mask=None).transpose(0, 1)


def layer_args(variant: str, index: int, layers: int) -> argparse.Namespace:
    """roberta_transnormer_t1/t2 (fairseq/models/roberta_x_attention/norm_attention.py) at the golden's size."""
    t2 = variant == "t2"
    args = argparse.Namespace(
        encoder_embed_dim=16, encoder_attention_heads=2, encoder_layers=layers, dropout=0.0, attention_dropout=0.0,
        activation_dropout=0.0, encoder_normalize_before=False, encoder_ffn_embed_dim=64,
        linear_act_fun="1+elu" if t2 else "elu", local_act_fun="relu", use_softmax=t2, max_l=64, has_out=True,
        group_type="chunk", encoder_chunk_size=8, local_norm_type="simplermsnorm",
        norm_type="simplermsnorm", use_glu=True, glu_act="swish", attn_type="simplermsnorm", encoder_use_urpe=True,
        encoder_core_matrix=1, encoder_p_matrix=3, encoder_theta_learned=True,
    )
    args.attention_type = 2 if index < layers // 2 else 1
    args.index = index
    return args


def original_logits(module, case: dict, variant: str, tokens: torch.Tensor) -> torch.Tensor:
    from fairseq import utils

    sd = case["state_dict"]
    layers = sorted({int(k.split(".")[3]) for k in sd if k.startswith("encoder.sentence_encoder.layers.")})
    blocks = []
    for i in layers:
        layer = module.NormAttentionEncoderLayer(layer_args(variant, i, len(layers))).eval()
        prefix = f"encoder.sentence_encoder.layers.{i}."
        layer.load_state_dict({k[len(prefix):]: v for k, v in sd.items() if k.startswith(prefix)}, strict=True)
        blocks.append(layer)
    emb = sd["encoder.sentence_encoder.embed_tokens.weight"]
    pos = sd["encoder.sentence_encoder.embed_positions.weight"]
    padding_mask = tokens.eq(PAD)
    with torch.no_grad():
        x = emb[tokens] + pos[utils.make_positions(tokens, PAD)]
        x = torch.nn.functional.layer_norm(x, (16,), sd["encoder.sentence_encoder.layernorm_embedding.weight"],
                                           sd["encoder.sentence_encoder.layernorm_embedding.bias"])
        x = x * (1 - padding_mask.unsqueeze(-1).type_as(x))
        x = x.transpose(0, 1)  # T x B x C, as fairseq's encoder
        for layer in blocks:
            x = layer(x, encoder_padding_mask=padding_mask)
        x = x.transpose(0, 1)
        x = torch.nn.functional.linear(x, sd["encoder.lm_head.dense.weight"], sd["encoder.lm_head.dense.bias"])
        x = torch.nn.functional.layer_norm(utils.get_activation_fn("gelu")(x), (16,),
                                           sd["encoder.lm_head.layer_norm.weight"], sd["encoder.lm_head.layer_norm.bias"])
        return torch.nn.functional.linear(x, sd["encoder.lm_head.weight"]) + sd["encoder.lm_head.bias"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path, help="a clone or mirror of OpenNLPLab/fairseq-evo")
    args = parser.parse_args()
    here = Path(__file__).parent
    cases = torch.load(here / "fairseq_evo_outputs.pt", map_location="cpu", weights_only=False)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        module = original_module(args.git_dir, Path(tmp))
        for variant in ("t1", "t2"):
            checks = {f"lm_{variant}": (original_lm_logits(module, cases[f"lm_{variant}"], variant),
                                        cases[f"lm_{variant}"]["logits"]),
                      f"blm_{variant}": (original_logits(module, cases[f"blm_{variant}"], variant,
                                                         cases[f"blm_{variant}"]["tokens"]),
                                         cases[f"blm_{variant}"]["logits"])}
            for kind in ("diag", "norm"):
                case = cases[f"enc_{variant}_{kind}"]
                checks[f"enc_{variant}_{kind}"] = (original_encoder_layer(module, case, variant, kind), case["y"])
            for name, (ours, stored) in checks.items():
                print(f"{name}: max |original now - stored| = {(ours - stored).abs().max():.3g} "
                      f"(stored scale {stored.abs().max():.3g})")
        for variant in ("t1", "t2"):
            case = cases[f"blm_{variant}"]
            tokens = case["tokens"].clone()
            tokens[0, -7:] = PAD  # the first sequence right-padded by 7, the second not at all
            # sanity: unpadded tokens reproduce the stored golden through the same steps
            same = original_logits(module, case, variant, case["tokens"])
            assert (same - case["logits"]).abs().max() < 1e-5, "the harness does not reproduce blm golden"
            out[variant] = {"tokens": tokens, "logits": original_logits(module, case, variant, tokens)}
    torch.save(out, here / "padding.pt")
    print(f"wrote {here / 'padding.pt'}")


if __name__ == "__main__":
    main()
