"""fairseq `--user-dir` plugin: our TNN LM as fairseq models, so that fairseq's own tools run the paper's recipe.

    fairseq-train data-bin/wikitext-103 --user-dir tnn/fairseq_tnn --task language_modeling \\
        --arch tnn_v2_decay_99_pre --share-decoder-input-output-embed ...
    fairseq-eval-lm data-bin/wikitext-103 --user-dir tnn/fairseq_tnn --path checkpoint_best.pt ...

Registers, under fairseq-evo's names, the model `tnn_v2_lm` with the architectures `tnn_v2_decay_99_pre`
(the paper's autoregressive LM; OpenNLPLab/Tnn script_alm.sh) and `tnn_v2_no_decay`, and the model
`roberta_tnn_v2` with `roberta_tnn_v2_decay_99` (the bidirectional LM for `--task masked_lm`; script_blm.sh). This file only adapts
fairseq's argument namespace and decoder interface to `tnn.model.TnnLM`; the model logic lives there.
"""

from __future__ import annotations

import sys
from pathlib import Path

# fairseq imports a --user-dir as a top-level package: make our repository importable from it
_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from fairseq.models import (  # noqa: E402
    BaseFairseqModel,
    FairseqIncrementalDecoder,
    FairseqLanguageModel,
    register_model,
    register_model_architecture,
)

from shared.checkpoint import allow_fairseq_checkpoints  # noqa: E402
from tnn.config import TnnConfig, blm_config  # noqa: E402
from tnn.model import TnnLM, TnnMaskedLM  # noqa: E402

allow_fairseq_checkpoints()

UNLIMITED = 1_000_000  # TNN has no positional table: any length fits


class TnnFairseqDecoder(FairseqIncrementalDecoder):
    def __init__(self, dictionary, cfg: TnnConfig) -> None:
        super().__init__(dictionary)
        self.lm = TnnLM(cfg)

    def forward(self, prev_output_tokens, incremental_state=None, **kwargs):
        if incremental_state is not None:
            raise NotImplementedError("tnn_v2_lm: incremental decoding is not implemented; score whole sequences")
        return self.lm(prev_output_tokens), {"attn": [None], "inner_states": None}

    def max_positions(self) -> int:
        return UNLIMITED


@register_model("tnn_v2_lm")
class TnnFairseqLM(FairseqLanguageModel):
    @staticmethod
    def add_args(parser) -> None:
        parser.add_argument("--dropout", type=float, metavar="D")
        parser.add_argument("--decoder-embed-dim", type=int, metavar="N")
        parser.add_argument("--decoder-layers", type=int, metavar="N")
        parser.add_argument("--decoder-attention-heads", type=int, metavar="N", help="TNO heads")
        parser.add_argument("--expand-ratio", type=float, metavar="R", help="GTU width / embedding width")
        parser.add_argument("--glu-dim", type=int, metavar="N")
        parser.add_argument("--rpe-embedding", type=int, metavar="N", help="RPE width")
        parser.add_argument("--rpe-layers", type=int, metavar="N")
        parser.add_argument("--gamma", type=float, metavar="G", help="decay lambda")
        parser.add_argument("--use-decay", type=int, metavar="0|1")
        parser.add_argument("--share-decoder-input-output-embed", action="store_true",
                            help="accepted for the original scripts; the output is always tied")

    @classmethod
    def build_model(cls, args, task):
        d = task.source_dictionary
        cfg = TnnConfig(
            vocab_size=len(d), embed_dim=args.decoder_embed_dim, num_layers=args.decoder_layers,
            num_heads=args.decoder_attention_heads, expand_ratio=float(args.expand_ratio), glu_dim=args.glu_dim,
            causal=True, prenorm=True, norm="simplermsnorm", use_decay=bool(args.use_decay), gamma=args.gamma,
            rpe_dim=args.rpe_embedding, rpe_layers=args.rpe_layers, dropout=args.dropout, padding_idx=d.pad(),
        )
        return cls(TnnFairseqDecoder(d, cfg))


def _default(args, name: str, value) -> None:
    """Fill a value the command line left unset (None), as fairseq's architecture functions do."""
    if getattr(args, name, None) is None:
        setattr(args, name, value)


def _defaults(args, use_decay: int) -> None:
    # fairseq-evo tnn_v2_lm.py: base_lm_architecture with 7 layers, 1 head, expand 3, RPE 6 x 64, glu_dim = d
    for name, value in (("dropout", 0.1), ("decoder_embed_dim", 512), ("decoder_layers", 7),
                        ("decoder_attention_heads", 1), ("expand_ratio", 3.0), ("rpe_embedding", 64),
                        ("rpe_layers", 6), ("gamma", 0.99), ("use_decay", use_decay)):
        _default(args, name, value)
    _default(args, "glu_dim", args.decoder_embed_dim)


@register_model_architecture("tnn_v2_lm", "tnn_v2_decay_99_pre")
def tnn_v2_decay_99_pre(args) -> None:
    _defaults(args, use_decay=1)


@register_model_architecture("tnn_v2_lm", "tnn_v2_no_decay")
def tnn_v2_no_decay(args) -> None:
    _defaults(args, use_decay=0)


@register_model("roberta_tnn_v2")
class TnnFairseqMaskedLM(BaseFairseqModel):
    """For fairseq's masked_lm task and criterion: forward(src_tokens, masked_tokens) -> (logits, None)."""

    def __init__(self, model: TnnMaskedLM) -> None:
        super().__init__()
        self.model = model

    @staticmethod
    def add_args(parser) -> None:
        parser.add_argument("--dropout", type=float, metavar="D")
        parser.add_argument("--encoder-embed-dim", type=int, metavar="N")
        parser.add_argument("--encoder-layers", type=int, metavar="N")
        parser.add_argument("--encoder-attention-heads", type=int, metavar="N", help="TNO heads")
        parser.add_argument("--expand-ratio", type=float, metavar="R")
        parser.add_argument("--glu-dim", type=int, metavar="N")
        parser.add_argument("--rpe-embedding", type=int, metavar="N")
        parser.add_argument("--rpe-layers", type=int, metavar="N")
        parser.add_argument("--gamma", type=float, metavar="G")
        parser.add_argument("--attention-dropout", type=float, metavar="D", help="accepted; the GTU has no attention")

    @classmethod
    def build_model(cls, args, task):
        d = task.source_dictionary
        cfg = blm_config(
            vocab_size=len(d), embed_dim=args.encoder_embed_dim, num_layers=args.encoder_layers,
            num_heads=args.encoder_attention_heads, expand_ratio=float(args.expand_ratio), glu_dim=args.glu_dim,
            gamma=args.gamma, rpe_dim=args.rpe_embedding, rpe_layers=args.rpe_layers, dropout=args.dropout,
            padding_idx=d.pad(),
        )
        return cls(TnnMaskedLM(cfg))

    def forward(self, src_tokens, src_lengths=None, masked_tokens=None, **kwargs):
        m = self.model
        features = m.backbone(src_tokens, src_tokens.eq(m.cfg.padding_idx))  # b, n, d
        if masked_tokens is not None:  # as RoBERTa: the LM head only where tokens were masked
            features = features[masked_tokens]
        return m.lm_head(features, m.backbone.embed_tokens.weight), None

    def get_targets(self, sample, net_output):
        return sample["target"]

    def max_positions(self) -> int:
        return UNLIMITED


@register_model_architecture("roberta_tnn_v2", "roberta_tnn_v2_decay_99")
def roberta_tnn_v2_decay_99(args) -> None:
    # fairseq-evo roberta_tnn/tnn_v2.py: RoBERTa-base widths, 1 head, expand 3, RPE 6 x 64, decay 0.99
    for name, value in (("dropout", 0.1), ("encoder_embed_dim", 768), ("encoder_layers", 12),
                        ("encoder_attention_heads", 1), ("expand_ratio", 3.0), ("rpe_embedding", 64),
                        ("rpe_layers", 6), ("gamma", 0.99)):
        _default(args, name, value)
    _default(args, "glu_dim", args.encoder_embed_dim)
