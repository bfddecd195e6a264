"""fairseq adapter for the translation supernet: `fairseq-train --user-dir nas_efficient/fairseq_nas
--arch mixformer_translation_wmt_en_de ...`.

Registers the model `mixformer_translation` and its architectures. The network is
`nas_efficient.translation_model.TranslationSupernet`; this file only maps fairseq's interfaces onto it:
- training a supernet: every update runs one sub-network drawn from the update number (fairseq's task
  calls `model.set_num_updates(n)` before each step; HAT seeds its sampler with n the same way);
  validation runs the largest sub-network;
- `--subnet-arch FILE` (a `TranslationArch` JSON) fixes the architecture; with `--subnet-standalone` the
  model is built at that size (`translation_arch.standalone_space`), to retrain a searched architecture
  from scratch. The checkpoint keeps the architecture itself (as JSON), not the file's path;
- generation recomputes the whole prefix at every step and returns the last position when fairseq
  passes an `incremental_state`: exact, not incremental.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import torch
from fairseq.models import (
    FairseqEncoder,
    FairseqEncoderDecoderModel,
    FairseqIncrementalDecoder,
    register_model,
    register_model_architecture,
)

# `--user-dir` imports this folder as a top-level module; the package it belongs to must be importable
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from nas_efficient.translation_arch import (  # noqa: E402
    TranslationArch,
    TranslationSearchSpace,
    standalone_space,
    tiny_space,
)
from nas_efficient.translation_model import EncoderOutput, TranslationModelConfig, TranslationSupernet  # noqa: E402
from shared.checkpoint import allow_fairseq_checkpoints  # noqa: E402

allow_fairseq_checkpoints()

SPACES = {"wmt14_en_de": TranslationSearchSpace, "tiny": tiny_space}


def load_arch(value: str) -> TranslationArch:
    """`--subnet-arch`: a TranslationArch JSON file, or the JSON itself (as checkpoints store it)."""
    if value.lstrip().startswith("{"):
        data = json.loads(value)
        return TranslationArch(**data)
    return TranslationArch.load(value)


class ArchState:
    """The architecture the model runs now, shared by the encoder and decoder wrappers."""

    def __init__(self, space: TranslationSearchSpace, fixed: TranslationArch | None) -> None:
        self.space, self.fixed = space, fixed
        self.sampled = fixed or space.largest()

    def set_num_updates(self, num_updates: int) -> None:
        if self.fixed is None:
            self.sampled = self.space.sample(random.Random(num_updates))

    def current(self, training: bool) -> TranslationArch:
        if self.fixed is not None:
            return self.fixed
        return self.sampled if training else self.space.largest()


class SupernetEncoder(FairseqEncoder):
    def __init__(self, dictionary, supernet: TranslationSupernet, state: ArchState) -> None:
        super().__init__(dictionary)
        self._net = [supernet]  # a reference, not a submodule: the model owns the parameters once
        self.state = state

    def forward(self, src_tokens: torch.Tensor, src_lengths: torch.Tensor | None = None, **unused) -> dict:
        out = self._net[0].encode(src_tokens, self.state.current(self.training))
        return {"encoder_out": [out.final], "encoder_states": out.layers,  # batch-first, b, s, e
                "encoder_padding_mask": [] if out.padding_mask is None else [out.padding_mask]}

    def reorder_encoder_out(self, encoder_out: dict, new_order: torch.Tensor) -> dict:
        return {key: [t.index_select(0, new_order) for t in value] for key, value in encoder_out.items()}

    def max_positions(self) -> int:
        return self._net[0].cfg.max_positions


class SupernetDecoder(FairseqIncrementalDecoder):
    def __init__(self, dictionary, supernet: TranslationSupernet, state: ArchState) -> None:
        super().__init__(dictionary)
        self._net = [supernet]
        self.state = state

    def forward(self, prev_output_tokens: torch.Tensor, encoder_out: dict | None = None,
                incremental_state: dict | None = None, **unused) -> tuple[torch.Tensor, None]:
        net = self._net[0]
        pad = encoder_out["encoder_padding_mask"]
        memory = EncoderOutput(encoder_out["encoder_out"][0], encoder_out["encoder_states"], pad[0] if pad else None)
        features = net.decode(prev_output_tokens, memory, self.state.current(self.training))
        if incremental_state is not None:  # the generator wants the newest position only
            features = features[:, -1:]
        return net.output_layer(features), None

    def reorder_incremental_state(self, incremental_state: dict, new_order: torch.Tensor) -> None:
        pass  # nothing is cached: every step recomputes the prefix

    def max_positions(self) -> int:
        return self._net[0].cfg.max_positions


@register_model("mixformer_translation")
class MixFormerTranslationModel(FairseqEncoderDecoderModel):
    def __init__(self, encoder, decoder, supernet: TranslationSupernet, state: ArchState) -> None:
        super().__init__(encoder, decoder)
        self.supernet, self.state = supernet, state

    @staticmethod
    def add_args(parser) -> None:
        parser.add_argument("--search-space", choices=sorted(SPACES), help="the supernet's search space")
        parser.add_argument("--qkv-dim", type=int, help="q/k/v width of every attention (head width = qkv / heads)")
        parser.add_argument("--dropout", type=float, help="dropout at the largest width (scaled by the sampled one)")
        parser.add_argument("--attention-dropout", type=float)
        parser.add_argument("--activation-dropout", "--relu-dropout", type=float)
        parser.add_argument("--subnet-arch", type=str, help="TranslationArch JSON file (or JSON): run it only")
        parser.add_argument("--subnet-standalone", action="store_true",
                            help="with --subnet-arch: build exactly that architecture's parameters")

    @classmethod
    def build_model(cls, args, task) -> MixFormerTranslationModel:
        mixformer_base(args)
        src, tgt = task.source_dictionary, task.target_dictionary
        if src != tgt:
            raise ValueError("mixformer_translation shares all embeddings: preprocess with --joined-dictionary")
        fixed = load_arch(args.subnet_arch) if args.subnet_arch else None
        if fixed is not None:
            args.subnet_arch = fixed.to_json()  # saved with the checkpoint's arguments: no file needed later
        space = SPACES[args.search_space]()
        if fixed is not None and args.subnet_standalone:
            space = standalone_space(fixed)
        elif fixed is not None and not space.contains(fixed):
            raise ValueError(f"{args.subnet_arch}: architecture is outside the {args.search_space} search space")
        cfg = TranslationModelConfig(args.qkv_dim, max(args.max_source_positions, args.max_target_positions),
                                     args.dropout, args.attention_dropout, args.activation_dropout)
        supernet = TranslationSupernet(len(src), src.pad(), space, cfg)
        state = ArchState(space, fixed)
        return cls(SupernetEncoder(src, supernet, state), SupernetDecoder(tgt, supernet, state), supernet, state)

    def set_num_updates(self, num_updates: int) -> None:
        self.state.set_num_updates(num_updates)
        super().set_num_updates(num_updates)

    def max_positions(self) -> tuple[int, int]:
        return self.supernet.cfg.max_positions, self.supernet.cfg.max_positions


@register_model_architecture("mixformer_translation", "mixformer_translation_base")
def mixformer_base(args) -> None:
    args.search_space = getattr(args, "search_space", "wmt14_en_de")
    args.qkv_dim = getattr(args, "qkv_dim", 1024)
    args.dropout = getattr(args, "dropout", 0.3)
    args.attention_dropout = getattr(args, "attention_dropout", 0.1)
    args.activation_dropout = getattr(args, "activation_dropout", 0.1)
    args.subnet_arch = getattr(args, "subnet_arch", None)
    args.subnet_standalone = getattr(args, "subnet_standalone", False)


@register_model_architecture("mixformer_translation", "mixformer_translation_wmt_en_de")
def mixformer_wmt_en_de(args) -> None:
    """mixFormer `configs/wmt14.en-de/supertransformer/large.yml`: embed 1024, FFN 5120, 16 heads, qkv 1024,
    6 + 6 layers, dropout 0.3, attention and ReLU dropout 0.1."""
    mixformer_base(args)


@register_model_architecture("mixformer_translation", "mixformer_translation_tiny")
def mixformer_tiny(args) -> None:
    """A toy supernet (`translation_arch.tiny_space`, qkv 48) for CPU tests."""
    args.search_space = getattr(args, "search_space", "tiny")
    args.qkv_dim = getattr(args, "qkv_dim", 48)
    args.dropout = getattr(args, "dropout", 0.0)
    args.attention_dropout = getattr(args, "attention_dropout", 0.0)
    args.activation_dropout = getattr(args, "activation_dropout", 0.0)
    mixformer_base(args)
