"""TransNormer on Long Range Arena, through the shared LRA harness (readers, heads, trainer, results).

    python -m transnormer.lra --config transnormer/configs/lra_listops_t2.py [--set key=value ...] [--run-dir DIR]

Sizes and optimisation (`transnormer.config.LRA_ROWS`) follow OpenNLPLab/Transnormer script_lra.py (per-task batch, lr, layers, width,
feed-forward ratio, heads; norm `synbatch`; t1 = ReLU blocks + elu, t2 = softmax blocks + 1+elu) and
OpenNLPLab/lra configs/experiment/transnormer-lra-*.yaml (AdamW without weight decay, cosine schedule
with warmup, 50k steps, dropout).
"""

from __future__ import annotations

import json

from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.lra.classifier import SequenceClassifier
from shared.lra.tasks import get_task
from shared.lra.train import run
from transnormer.config import LRAModelConfig
from transnormer.model import LRAEncoder


def build_lra_classifier(task: str, cfg: LRAModelConfig, max_length: int) -> SequenceClassifier:
    t = get_task(task)
    encoder = LRAEncoder(cfg, t.vocab_size, max_length)
    return SequenceClassifier(encoder, cfg.embed_dim, t.num_classes, cfg.mlp_dim, cfg.pooling, t.dual, "nli")


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    cfg, run_dir = resolve(args, "transnormer_lra")
    results = run(cfg, run_dir, resume=not args.no_resume, build_model=build_lra_classifier)
    print(json.dumps({k: results[k] for k in ("task", "accuracy", "majority_baseline", "step", "wall_time_s")}))
    shutdown()


if __name__ == "__main__":
    main()
