"""TransNormer on Long Range Arena, through the shared LRA harness (readers, heads, trainer, results).

    python -m transnormer.lra --config transnormer/configs/lra_listops_t2.py [--set key=value ...] [--run-dir DIR]

Sizes and optimisation follow OpenNLPLab/Transnormer script_lra.py (per-task batch, lr, layers, width,
feed-forward ratio, heads; norm `synbatch`; t1 = ReLU blocks + elu, t2 = softmax blocks + 1+elu) and
OpenNLPLab/lra configs/experiment/transnormer-lra-*.yaml (AdamW without weight decay, cosine schedule
with warmup, 50k steps, dropout).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from shared.cli import resolve, train_parser
from shared.distributed import shutdown
from shared.lra.classifier import SequenceClassifier
from shared.lra.tasks import get_task
from shared.lra.train import DataConfig, run
from shared.optim import OptimConfig
from shared.schedules import ScheduleConfig
from shared.trainer import TrainerConfig
from transnormer.model import LRAEncoder, LRAModelConfig


@dataclass
class TransNormerLRAConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: LRAModelConfig = field(default_factory=LRAModelConfig)
    train: TrainerConfig = field(default_factory=TrainerConfig)


def build_lra_classifier(task: str, cfg: LRAModelConfig, max_length: int) -> SequenceClassifier:
    t = get_task(task)
    encoder = LRAEncoder(cfg, t.vocab_size, max_length)
    return SequenceClassifier(encoder, cfg.dim, t.num_classes, cfg.mlp_dim, cfg.pooling, t.dual, "nli")


# script_lra.py: batch, lr, n_layers, d_model, expand_ratio_ffn, heads; the experiment yaml: warmup, dropout
_SCRIPT = {
    "image": (200, 1e-3, 12, 128, 2.0, 4, 175, 0.2),
    "text": (64, 1e-3, 4, 128, 4.0, 8, 80, 0.0),
    "listops": (128, 1e-4, 4, 128, 4.0, 8, 1000, 0.0),
    "pathfinder": (128, 5e-4, 4, 128, 1.0, 8, 312, 0.0),
    "pathx": (64, 1e-4, 6, 64, 2.5, 8, 312, 0.0),
    "retrieval": (64, 1e-3, 4, 128, 4.0, 4, 800, 0.0),
}
_DATA = {"image": "data/cifar-10-batches-bin", "text": "data/aclImdb", "listops": "data/lra_release/listops-1000",
         "pathfinder": "data/lra_release/pathfinder32", "pathx": "data/lra_release/pathfinder128",
         "retrieval": "data/lra_release/tsv_data"}


def lra_experiment(task: str, variant: Literal["t1", "t2"]) -> TransNormerLRAConfig:
    batch, lr, layers, dim, ffn, heads, warmup, dropout = _SCRIPT[task]
    t2 = variant == "t2"
    model = LRAModelConfig(dim=dim, num_layers=layers, num_heads=heads, diag_softmax=t2, kernel="1+elu" if t2 else "elu",
                           norm="batchnorm", expand_ratio_ffn=ffn, dropout=dropout, mlp_dim=dim,
                           pooling="last" if task == "pathfinder" else "mean")  # OpenNLPLab/lra: last for Pathfinder
    train = TrainerConfig(
        max_steps=50_000, batch_size=batch, log_every=100, ckpt_every=2000, eval_every=5000,
        optim=OptimConfig(name="adamw", lr=lr, weight_decay=0.0),
        schedule=ScheduleConfig(name="cosine", warmup_steps=warmup),
    )
    # text is read at 4096 bytes in OpenNLPLab/lra (dataset.l_max: 4096)
    data = DataConfig(task=task, data_dir=_DATA[task], max_length=4096 if task == "text" else 0, split_seed=None)
    return TransNormerLRAConfig(data, model, train)


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    cfg, run_dir = resolve(args, "transnormer_lra")
    results = run(cfg, run_dir, resume=not args.no_resume, build_model=build_lra_classifier)
    print(json.dumps({k: results[k] for k in ("task", "accuracy", "majority_baseline", "step", "wall_time_s")}))
    shutdown()


if __name__ == "__main__":
    main()
