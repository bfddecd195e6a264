"""fairseq `--user-dir` plugin: our TransNormer LM under fairseq-train / fairseq-eval-lm.

    fairseq-train data-bin/wikitext-103 --user-dir transnormer/fairseq_transnormer --task language_modeling \
        --arch transnormer_t1 --share-decoder-input-output-embed ...   (the rest as OpenNLPLab's train_alm.sh)

A thin adapter: the model is transnormer.model.TransNormerLM; only the fairseq glue lives here.
The architecture names are ours (`transnormer_ours_t1/t2`), with `transnormer_t1/t2` as aliases when
fairseq has no model of that name registered, so the original scripts run unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fairseq.models import (
    ARCH_MODEL_REGISTRY,
    FairseqIncrementalDecoder,
    FairseqLanguageModel,
    register_model,
    register_model_architecture,
)

# fairseq imports a user dir as a top-level module: make the repository importable
_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from shared.checkpoint import allow_fairseq_checkpoints  # noqa: E402
from transnormer.config import TransNormerConfig  # noqa: E402
from transnormer.model import TransNormerLM  # noqa: E402

allow_fairseq_checkpoints()  # fairseq-eval-lm must read what fairseq-train wrote


class TransNormerFairseqDecoder(FairseqIncrementalDecoder):
    def __init__(self, dictionary, cfg: TransNormerConfig) -> None:
        super().__init__(dictionary)
        self.model = TransNormerLM(cfg)
        self.max_target_positions = cfg.max_positions

    def forward(self, prev_output_tokens, incremental_state=None, **kwargs):
        if incremental_state is not None:
            raise NotImplementedError("incremental decoding: use TransNormerLM.step")
        return self.model(prev_output_tokens), {"attn": [None], "inner_states": None}

    def max_positions(self) -> int:
        return self.max_target_positions


@register_model("transnormer_ours_lm")
class TransNormerFairseqLM(FairseqLanguageModel):
    @staticmethod
    def add_args(parser) -> None:
        parser.add_argument("--dropout", type=float, default=0.1)
        # accepted for the original scripts' sake: our LM always ties its output projection to the embedding
        parser.add_argument("--share-decoder-input-output-embed", action="store_true")
        parser.add_argument("--tn-dim", type=int, default=512)
        parser.add_argument("--tn-layers", type=int, default=6)
        parser.add_argument("--tn-heads", type=int, default=8)
        parser.add_argument("--tn-block-size", type=int, default=64)

    @classmethod
    def build_model(cls, args, task):
        d = task.source_dictionary
        cfg = TransNormerConfig(
            vocab_size=len(d), embed_dim=args.tn_dim, num_layers=args.tn_layers, num_heads=args.tn_heads,
            block_size=args.tn_block_size, diag_softmax=args.tn_variant == "t2",
            kernel="1+elu" if args.tn_variant == "t2" else "elu", dropout=args.dropout,
            max_positions=getattr(args, "tokens_per_sample", 512), padding_idx=d.pad(),
        )
        return cls(TransNormerFairseqDecoder(d, cfg))


def _arch(name: str, variant: str) -> None:
    def configure(args) -> None:
        args.tn_variant = variant
        args.dropout = getattr(args, "dropout", 0.1)

    register_model_architecture("transnormer_ours_lm", f"transnormer_ours_{variant}")(configure)
    if name not in ARCH_MODEL_REGISTRY:
        register_model_architecture("transnormer_ours_lm", name)(configure)


_arch("transnormer_t1", "t1")
_arch("transnormer_t2", "t2")
