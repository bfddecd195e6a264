"""TNN encoders for Long Range Arena under the shared LRA harness (shared.lra: readers, heads, trainer).

    python -m tnn.lra --config tnn/configs/lra_listops.py [--set key=value ...] [--run-dir DIR]

1D (`tno`: ListOps, Text, Retrieval) and 2D (`tno2d`: Image, Pathfinder, Path-X) encoders:
    tokens -> embedding -> L x TnnLayer(bidirectional; 2D: rows and columns) -> final norm -> features
Sizes and optimisation from OpenNLPLab/Tnn script_lra.py (d_model, layers, GTU/GLU expansion, decay,
RPE width and depth, norm, lr, weight decay, warmup, batch size).
"""

from __future__ import annotations

import json

import torch
from torch import nn

from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.lra.classifier import SequenceClassifier
from shared.lra.tasks import get_task
from tnn.config import TnnLRAConfig
from tnn.layers import TnnLayer
from tnn.tno import build_norm


class TnnLRAEncoder(nn.Module):
    """(tokens (b, n), padding_mask (b, n), True at padding) -> features (b, n, dim)."""

    def __init__(self, vocab_size: int, cfg: TnnLRAConfig) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, cfg.embed_dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.layers = nn.ModuleList(
            TnnLayer(cfg.embed_dim, int(cfg.expand_ratio_glu * cfg.embed_dim), prenorm=cfg.prenorm, norm=cfg.norm,
                     dropout=cfg.dropout, two_d="compose" if cfg.two_d else None, heads=1,
                     expand_ratio=cfg.expand_ratio_gtu, causal=False, use_decay=cfg.use_decay, gamma=cfg.gamma,
                     rpe_dim=cfg.rpe_dim, rpe_layers=cfg.rpe_layers)
            for _ in range(cfg.num_layers)
        )
        self.final_norm = build_norm(cfg.norm, cfg.embed_dim) if cfg.prenorm else nn.Identity()

    def forward(self, tokens: torch.Tensor, padding_mask: torch.Tensor) -> torch.Tensor:
        keep = (~padding_mask).unsqueeze(-1).to(torch.get_default_dtype())  # b, n, 1
        x = self.dropout(self.embed(tokens)) * keep  # padding enters the Toeplitz mixing as zeros
        for layer in self.layers:
            x = layer(x)
        return self.final_norm(x)


def build_tnn_classifier(task: str, cfg: TnnLRAConfig, max_length: int) -> SequenceClassifier:
    t = get_task(task)
    return SequenceClassifier(TnnLRAEncoder(t.vocab_size, cfg), cfg.embed_dim, t.num_classes, cfg.mlp_dim, cfg.pooling,
                              t.dual)


def main() -> None:
    from shared.lra.train import run

    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    cfg, run_dir = resolve(args, "tnn")
    results = run(cfg, run_dir, resume=not args.no_resume, build_model=build_tnn_classifier)
    print(json.dumps({k: results[k] for k in ("task", "accuracy", "majority_baseline", "step", "wall_time_s")}))
    shutdown()


if __name__ == "__main__":
    main()
