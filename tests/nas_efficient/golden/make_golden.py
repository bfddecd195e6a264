"""Golden data of the original CIFAR-10 supernet: `original_supernet.json`.

Runs OpenNLPLab/mixFormer at commit c1c57c5e435b188a9e9120b995e4e7aaeaf0462b unchanged:
`fairseq/models/transformer_cifar_super.py` (`VisionTransformerSuperModel`, `TransformerEncoder`,
`TransformerEncoderLayer`) with the fork's `fairseq/modules/{linear_super,layer_norm,cifar_embedding_super,
multihead_attention_super_qkv,multihead_cosformer_attention_super,relative_multihead_attention_super}.py`
and `fairseq/init.py`, loaded from a checkout given as --mixformer. The rest of the fork's fairseq is
not needed by these files beyond names they import; those names are stood in for here (registries
as no-op decorators, `FairseqEncoder`/`SuperFairseqEncoderModel` as plain modules, `utils.softmax`,
`get_activation_fn` and `item` as fairseq defines them), and the CUDA kernel `causal_linear` of
fast_transformers by its definition (out_l = sum_{s<=l} (q_l . k_s) v_s).

It records:
- `supernet_s`: the state-dict keys and shapes of a real supernet-S.yml checkpoint (embed 448, FFN 1792,
  14 layers, 7 heads, attn_cal choices 1/2/3, max-relative-length 14), which layer's `self_attn` alias
  points to which module after a sampled config, the whole build's parameter count and the count of the
  parts this reproduction has, and `get_sampled_params_numel` of several sub-networks;
- `small`: a 3-layer supernet at 32 px (patch 8, embed 128, FFN 256, 2 heads x 64) whose weights are
  `shared.testing.seeded_state_dict(spec, seed)` (positions `weight_index` as built), the logits of
  two sub-networks with mixed attention on seeded images.

    python tests/nas_efficient/golden/make_golden.py --mixformer /path/to/mixFormer
"""

from __future__ import annotations

import argparse
import collections.abc
import importlib.util
import json
import math
import sys
import types
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
from shared.testing import seeded_state_dict, state_dict_spec  # noqa: E402

HERE = Path(__file__).resolve().parent
MODULE_FILES = ["linear_super", "layer_norm", "cifar_embedding_super", "multihead_attention_super_qkv",
                "multihead_cosformer_attention_super", "relative_multihead_attention_super"]


def causal_linear(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """fast_transformers' causal_linear on (N, L, h, d) inputs, by its definition."""
    scores = torch.einsum("nlhd,nshd->nhls", q, k)
    mask = torch.ones(q.shape[1], k.shape[1], dtype=torch.bool).tril()
    return torch.einsum("nhls,nshd->nlhd", scores.masked_fill(~mask, 0.0), v)


def stand_ins(mixformer: Path) -> None:
    """Register the names the original files import, then load those files under their fairseq names."""
    def module(name: str, **attrs) -> types.ModuleType:
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        m.__path__ = []  # a package, so relative imports resolve
        sys.modules[name] = m
        return m

    class Encoder(nn.Module):
        def __init__(self, dictionary=None) -> None:
            super().__init__()
            self.dictionary = dictionary

    class EncoderModel(nn.Module):  # the fork's SuperFairseqEncoderModel: holds the encoder, forwards configs
        def __init__(self, encoder) -> None:
            super().__init__()
            self.encoder = encoder

        def set_sample_config(self, config: dict) -> None:
            self.encoder.set_sample_config(config)

    def registry(*_args, **_kwargs):
        return lambda obj: obj

    def softmax(x, dim, onnx_trace=False):
        return F.softmax(x.float(), dim=dim) if onnx_trace else F.softmax(x, dim=dim, dtype=torch.float32)

    class Unused(nn.Module):
        pass

    utils = module("fairseq.utils", softmax=softmax, get_activation_fn=lambda activation: F.relu,
                   item=lambda t: t.item() if hasattr(t, "item") else t,
                   get_incremental_state=None, set_incremental_state=None)
    fairseq = module("fairseq", utils=utils, options=module("fairseq.options"))
    module("fairseq.incremental_decoding_utils", with_incremental_state=lambda cls: cls)
    module("fairseq.models", FairseqEncoder=Encoder, FairseqIncrementalDecoder=Unused,
           SuperFairseqEncoderDecoderModel=Unused, SuperFairseqEncoderModel=EncoderModel,
           register_model=registry, register_model_architecture=registry)
    module("fast_transformers")
    module("fast_transformers.attention")
    module("fast_transformers.attention.causal_linear_attention", causal_linear=causal_linear)
    module("torch._six", container_abcs=collections.abc)
    modules = module("fairseq.modules")
    fairseq.modules = modules
    module("fairseq.modules.fairseq_dropout", FairseqDropout=Unused)
    module("fairseq.modules.quant_noise", quant_noise=lambda m, *a, **k: m)
    module("fairseq.modules.multihead_cosformer_attention", MultiheadCosformerAttention=Unused)
    module("fairseq.modules.multihead_cosformer_attention_2d_super", MultiheadCosformerAttention2dSuper=Unused)

    def load(name: str, path: Path) -> types.ModuleType:
        spec = importlib.util.spec_from_file_location(name, path)
        m = importlib.util.module_from_spec(spec)
        sys.modules[name] = m
        spec.loader.exec_module(m)
        return m

    fairseq.init = load("fairseq.init", mixformer / "fairseq" / "init.py")
    for name in MODULE_FILES:
        load(f"fairseq.modules.{name}", mixformer / "fairseq" / "modules" / f"{name}.py")
    ln = sys.modules["fairseq.modules.layer_norm"]
    linear = sys.modules["fairseq.modules.linear_super"]
    modules.__dict__.update(
        LinearSuper=linear.LinearSuper, Linear=linear.Linear, LayerNormSuper=ln.LayerNormSuper, LayerNorm=ln.LayerNorm,
        RelativeMultiheadAttentionSuper=sys.modules["fairseq.modules.relative_multihead_attention_super"]
        .RelativeMultiheadAttentionSuper,
        MultiheadAttentionSuper=Unused, EmbeddingSuper=Unused, RelativeMultiheadAttention=Unused,
        AdaptiveSoftmax=Unused, PositionalEmbedding=Unused, SinusoidalPositionalEmbedding=Unused)
    load("fairseq.models.transformer_cifar_super", mixformer / "fairseq" / "models" / "transformer_cifar_super.py")


def build(embed: int, ffn: int, layers: int, heads: int, image: int, patch: int, relative: int) -> nn.Module:
    original = sys.modules["fairseq.models.transformer_cifar_super"]
    args = argparse.Namespace(
        encoder_embed_dim=embed, encoder_ffn_embed_dim=ffn, encoder_layers=layers, encoder_attention_heads=heads,
        encoder_normalize_before=True, dropout=0.0, activation_dropout=0.1, attention_dropout=0.0, change_qkv=True,
        qkv_dim=None, max_relative_length=relative, drop_path=0.1, input_size=image, patch_size=patch, in_chans=3,
        num_classes=10, vocab_original_scaling=False, train_subtransformer=False)
    original.transformer_cifar10(args)  # what fairseq applies for --arch transformersuper_cifar10_small
    return original.VisionTransformerSuperModel.build_model(args, task=None)


CODES = {"cosformer": 1, "softmax": 2, "relative": 3}


def sample_config(arch: dict) -> dict:
    return {"encoder": {"encoder_embed_dim": arch["embed_dim"], "encoder_layer_num": len(arch["ffn_dims"]),
                        "encoder_ffn_embed_dim": arch["ffn_dims"], "encoder_self_attention_heads": arch["heads"],
                        "encoder_attention_choices": [CODES[a] for a in arch["attention"]]}}


def aliases(model: nn.Module) -> dict[str, str]:
    """layer index -> the name of the module its `self_attn` currently is."""
    out = {}
    for i, layer in enumerate(model.encoder.layers):
        for name in ("self_attn_cosformer", "self_attn_multihead", "self_attn_relative"):
            if layer.self_attn is getattr(layer, name):
                out[str(i)] = name
    return out


SUBNET_S = {"embed_dim": 384, "ffn_dims": [1152, 1344, 1152, 1344, 1536, 1536, 1536, 1536, 1536, 1536, 1536, 1344, 1536],
            "heads": [6, 6, 5, 7, 5, 5, 5, 6, 6, 7, 7, 6, 7]}
PAPER_ARCHS = {
    "subnet_s_softmax": {**SUBNET_S, "attention": ["softmax"] * 13},
    "subnet_s_cosformer": {**SUBNET_S, "attention": ["cosformer"] * 13},
    "subnet_s_mixed": {**SUBNET_S, "attention": ["cosformer", "softmax"] * 6 + ["cosformer"]},
    "largest_softmax": {"embed_dim": 448, "ffn_dims": [1792] * 14, "heads": [7] * 14, "attention": ["softmax"] * 14},
    "smallest_cosformer": {"embed_dim": 320, "ffn_dims": [672] * 12, "heads": [5] * 12, "attention": ["cosformer"] * 12},
}
SMALL_ARCHS = {
    "mixed_96": {"embed_dim": 96, "ffn_dims": [256, 128, 192], "heads": [2, 1, 2],
                 "attention": ["cosformer", "softmax", "cosformer"]},
    "mixed_128": {"embed_dim": 128, "ffn_dims": [192, 256], "heads": [1, 2], "attention": ["softmax", "cosformer"]},
}


def supernet_s() -> dict:
    torch.manual_seed(0)
    model = build(448, 1792, 14, 7, 224, 16, 14)
    model.get_sampled_params_numel(sample_config(PAPER_ARCHS["subnet_s_mixed"]))
    state = model.state_dict()
    relative = [k for k in state if ".self_attn_relative." in k]
    alias_keys = [k for k in state if ".self_attn." in k]
    unique = {id(p): p for p in model.parameters()}
    reproduced = sum(p.numel() for n, p in model.named_parameters()
                     if ".self_attn_relative." not in n and not n.endswith("weight_index"))
    return {
        "keys": state_dict_spec(state), "aliases_after_subnet_s_mixed": aliases(model),
        "relative_keys": len(relative), "alias_keys": len(alias_keys),
        "parameters_all": sum(p.numel() for p in unique.values()),
        "parameters_reproduced_modules": reproduced,
        "sampled_params_numel": {name: model.get_sampled_params_numel(sample_config(a)) for name, a in PAPER_ARCHS.items()},
        "archs": PAPER_ARCHS,
    }


def small() -> dict:
    model = build(128, 256, 3, 2, 32, 8, 4).eval()
    state = model.state_dict()
    seeded_keys = [k for k in state if ".self_attn." not in k and not k.endswith("weight_index")]
    spec = state_dict_spec({k: state[k] for k in seeded_keys})
    weights = seeded_state_dict(spec, seed=7)
    missing, unexpected = model.load_state_dict(weights, strict=False)
    assert not unexpected and all(".self_attn." in k or k.endswith("weight_index") for k in missing), missing
    images = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(11))
    out = {"spec": spec, "seed": 7, "images_seed": 11, "archs": SMALL_ARCHS, "logits": {}, "aliases": {},
           "all_keys": {}, "sampled_params_numel": {}}
    with torch.no_grad():
        for name, arch in SMALL_ARCHS.items():
            model.set_sample_config(sample_config(arch))
            out["aliases"][name] = aliases(model)
            out["all_keys"][name] = list(model.state_dict())  # the aliases' keys follow the module they repeat
            out["logits"][name] = model(images)["encoder_out"].tolist()
            out["sampled_params_numel"][name] = model.get_sampled_params_numel(sample_config(arch))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mixformer", type=Path, required=True, help="a checkout of OpenNLPLab/mixFormer at c1c57c5")
    parser.add_argument("--out", type=Path, default=HERE / "original_supernet.json")
    args = parser.parse_args()
    stand_ins(args.mixformer)
    golden = {"source": "OpenNLPLab/mixFormer c1c57c5e435b188a9e9120b995e4e7aaeaf0462b", "torch": torch.__version__,
              "weight_index": "pi/2 * arange(1, 4097) as (1, 4096, 1, 1)", "supernet_s": supernet_s(), "small": small()}
    assert math.isfinite(sum(sum(map(abs, row)) for v in golden["small"]["logits"].values() for row in v))
    args.out.write_text(json.dumps(golden) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
