"""Train AMF: (optionally pretrain the backbone,) fine-tune one member per setting, then train the policy.

    python -m multituning.train --config multituning/configs/fgvc_aircraft.py [--set key=value ...] [--run-dir DIR]

`schedule=two_stage` (default): the members are fine-tuned first, each on its own, then the policy learns over
the frozen members, on held-out images by default (`policy.data`). `schedule=joint`: members and policy are
trained together on the fused prediction's loss, as SpotTune trains its agent with the network.
Run folder: pretrain/ (smoke only), finetune_<setting>/ for each setting and policy/ (two_stage) or joint/
(each a shared.trainer run folder with its checkpoints and metrics), and results.json with the test accuracy
of AMF, of each setting alone (standard fine-tuning among them), of the equal-weight fusion, and the
majority-class baseline (`metric`, `ours` = AMF, `baseline` = majority class, `standard_finetune`), plus the
list of design guesses (`config.DESIGN_GUESSES`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

from multituning.config import DESIGN_GUESSES, AMFConfig
from multituning.data import Preloaded, build_split, labels_of, members_and_policy_sets
from multituning.evaluate import evaluate_amf, majority_baseline, predict
from multituning.members import BackboneConfig, FineTuneSetting, Member, build_backbone, build_member
from multituning.model import MultiTuned, PolicyNet
from multituning.synthetic import build_smoke_data
from shared.checkpoint import atomic_save
from shared.cli import resolve, train_parser
from shared.distributed import barrier, pick_device, shutdown
from shared.rng import seed_everything
from shared.runlog import merge_results
from shared.trainer import Trainer, TrainerConfig


def _ce(model: torch.nn.Module, batch: tuple) -> tuple[torch.Tensor, dict]:
    logits = model(batch[0])
    return F.cross_entropy(logits, batch[1]), {"accuracy": (logits.argmax(-1) == batch[1]).float().mean()}


def _test_accuracy(test_set: Dataset, batch_size: int, num_workers: int):
    def evaluate(model: torch.nn.Module) -> dict[str, float]:
        logits, labels = predict(model, test_set, batch_size, num_workers)
        return {"test_accuracy": (logits.argmax(-1) == labels).double().mean().item()}

    return evaluate


def _sgd(groups: list[dict], cfg: TrainerConfig) -> torch.optim.Optimizer:
    if cfg.optim.name != "sgd":
        raise ValueError(f"fine-tuning uses SGD with per-group learning rates; optim.name={cfg.optim.name!r}")
    return torch.optim.SGD(groups, lr=cfg.optim.lr, momentum=cfg.optim.momentum)


def pretrain(cfg: AMFConfig, run_dir: Path, resume: bool) -> Path:
    """Train the backbone from scratch on the source dataset; returns the weights file (timm layout)."""
    data = build_split(cfg.pretrain.data, train=True)
    num_classes = int(labels_of(data).max()) + 1
    seed_everything(cfg.pretrain.train.seed)
    model = build_backbone(dataclasses.replace(cfg.members.backbone, pretrained_file=""), num_classes)
    trainer = Trainer(model, cfg.pretrain.train, data, _ce, run_dir, experiment_config=cfg)
    trainer.fit(resume=resume)
    out = run_dir / "backbone.pt"
    if trainer.dist.is_main:
        atomic_save(model.state_dict(), out)
    barrier()  # every process loads this file next
    return out


def finetune(cfg: AMFConfig, index: int, setting: FineTuneSetting, backbone_cfg: BackboneConfig, train_set: Dataset,
             test_set: Dataset,
             num_classes: int, run_dir: Path, resume: bool) -> Member:
    """Fine-tune one member from the pretrained weights under `setting` (stage 1)."""
    seed_everything(cfg.finetune.seed + cfg.seed + index)  # each member's new head starts from its own draw
    member = build_member(backbone_cfg, setting, num_classes)

    optimizer = _sgd(member.param_groups(cfg.finetune.optim.lr, cfg.finetune.optim.weight_decay), cfg.finetune)
    _add_l2sp(optimizer, [member])
    trainer = Trainer(member, dataclasses.replace(cfg.finetune, seed=cfg.finetune.seed + cfg.seed), train_set, _ce, run_dir, optimizer=optimizer, experiment_config=cfg,
                      evaluate=_test_accuracy(test_set, cfg.data.eval_batch_size, cfg.data.num_workers))
    trainer.fit(resume=resume)
    return member


def _add_l2sp(optimizer: torch.optim.Optimizer, members: list[Member]) -> None:
    """L2-SP enters as its gradient just before each step (after unscaling and clipping of the data term)."""
    for member in members:
        if member.setting.l2sp_alpha > 0 or member.setting.l2sp_beta > 0:
            optimizer.register_step_pre_hook(lambda *_, m=member: m.add_regularizer_grad())


class WithMemberLogits(Dataset):
    """(image, label, member logits (K, C)) items: the frozen members' outputs computed once."""

    def __init__(self, data: Preloaded, logits: torch.Tensor) -> None:
        self.data, self.logits = data, logits

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, i: int) -> tuple:
        x, y = self.data[i]
        return x, y, self.logits[i]


def policy_loss(model: torch.nn.Module, batch: tuple) -> tuple[torch.Tensor, dict]:
    """Negative log-likelihood of the fused prediction; only the policy has trainable weights."""
    x, y = batch[0], batch[1]
    log_probs = model(x, batch[2] if len(batch) > 2 else None)
    return F.nll_loss(log_probs, y), {"accuracy": (log_probs.argmax(-1) == y).float().mean()}


def build_policy(cfg: AMFConfig, k: int) -> PolicyNet:
    p = cfg.policy
    return PolicyNet(k, stem_width=p.stem_width, widths=p.widths, input_size=p.input_size or None)


def _amf(cfg: AMFConfig, members: list[Member], freeze_members: bool) -> MultiTuned:
    p = cfg.policy
    return MultiTuned(members, build_policy(cfg, len(members)), [m.setting.name for m in members], fusion=p.fusion,
                      temperature=p.temperature, hard=p.hard, gumbel=p.gumbel, freeze_members=freeze_members)


def train_policy(cfg: AMFConfig, members: list[Member], train_set: Dataset, test_set: Dataset, run_dir: Path,
                 resume: bool) -> tuple[MultiTuned, dict[str, float]]:
    """Train the policy over the frozen members (stage 2) on `train_set`; returns AMF and its test metrics."""
    p = cfg.policy
    seed_everything(p.train.seed + cfg.seed)
    amf = _amf(cfg, members, freeze_members=True)
    if p.cache_member_logits and isinstance(train_set, Preloaded):
        amf.to(pick_device("auto", int(os.environ.get("LOCAL_RANK", 0))))
        logits = torch.stack([predict(m, train_set, cfg.data.eval_batch_size)[0] for m in members], 1).cpu()
        train_set = WithMemberLogits(train_set, logits)  # n, K, C

    def evaluate(model: torch.nn.Module) -> dict[str, float]:
        return evaluate_amf(model, test_set, cfg.data.eval_batch_size, cfg.standard_setting, cfg.data.num_workers)

    trainer = Trainer(amf, dataclasses.replace(p.train, seed=p.train.seed + cfg.seed), train_set, policy_loss,
                      run_dir, evaluate=evaluate, experiment_config=cfg)
    return amf, trainer.fit(resume=resume)


def train_joint(cfg: AMFConfig, backbone_cfg: BackboneConfig, train_set: Dataset, test_set: Dataset,
                num_classes: int, run_dir: Path, resume: bool) -> tuple[MultiTuned, dict[str, float]]:
    """Members and policy trained together on the fused prediction's loss (SpotTune-style); each member keeps its
    setting's frozen stages, learning rates and L2-SP, the policy its own learning rate and weight decay."""
    members = []
    for k, setting in enumerate(cfg.members.parsed()):
        seed_everything(cfg.finetune.seed + cfg.seed + k)
        members.append(build_member(backbone_cfg, setting, num_classes))
    seed_everything(cfg.policy.train.seed + cfg.seed)
    amf = _amf(cfg, members, freeze_members=False)
    groups = [g for m in members for g in m.param_groups(cfg.finetune.optim.lr, cfg.finetune.optim.weight_decay)]
    popt = cfg.policy.train.optim
    groups.append({"params": list(amf.policy.parameters()), "lr": popt.lr, "weight_decay": popt.weight_decay})
    optimizer = _sgd(groups, cfg.finetune)
    _add_l2sp(optimizer, members)

    def evaluate(model: torch.nn.Module) -> dict[str, float]:
        return evaluate_amf(model, test_set, cfg.data.eval_batch_size, cfg.standard_setting, cfg.data.num_workers)

    trainer = Trainer(amf, dataclasses.replace(cfg.finetune, seed=cfg.finetune.seed + cfg.seed), train_set,
                      policy_loss, run_dir, optimizer=optimizer, evaluate=evaluate, experiment_config=cfg)
    return amf, trainer.fit(resume=resume)


def run(cfg: AMFConfig, run_dir: str | Path, resume: bool = True) -> dict[str, Any]:
    start = time.perf_counter()
    run_dir = Path(run_dir)
    if cfg.smoke_data_root:
        build_smoke_data(cfg.smoke_data_root)
    settings = cfg.members.parsed()
    if cfg.standard_setting not in [s.name for s in settings]:
        raise ValueError(f"standard_setting {cfg.standard_setting!r} is not among members.settings")
    test_set = build_split(cfg.data, train=False)
    if cfg.schedule == "joint":  # SpotTune trains its agent on the network's own training set
        train_set = policy_set = build_split(cfg.data, train=True)
    else:
        p = cfg.policy
        train_set, policy_set = members_and_policy_sets(cfg.data, p.data, p.heldout_fraction, p.train_splits)
    train_labels, test_labels = labels_of(train_set), labels_of(test_set)
    num_classes = int(max(train_labels.max(), test_labels.max())) + 1

    backbone_cfg = cfg.members.backbone
    if cfg.pretrain.enabled:
        pretrained = cfg.pretrain.weights or str(pretrain(cfg, run_dir / "pretrain", resume))
        backbone_cfg = dataclasses.replace(backbone_cfg, pretrained_file=pretrained)
    if cfg.schedule == "joint":
        _, final = train_joint(cfg, backbone_cfg, train_set, test_set, num_classes, run_dir / "joint", resume)
    else:
        members = [finetune(cfg, k, s, backbone_cfg, train_set, test_set, num_classes,
                            run_dir / f"finetune_{s.name}", resume) for k, s in enumerate(settings)]
        _, final = train_policy(cfg, members, policy_set, test_set, run_dir / "policy", resume)

    majority, baseline = majority_baseline(train_labels, test_labels)
    results = {
        "dataset": cfg.data.name,
        "metric": "accuracy",
        "ours": final["amf_accuracy"],
        "baseline": baseline,
        "majority_class": majority,
        "standard_finetune": final[f"accuracy_{cfg.standard_setting}"],
        "amf_minus_standard": final["amf_accuracy"] - final[f"accuracy_{cfg.standard_setting}"],
        "amf_minus_uniform": final["amf_accuracy"] - final["uniform_fusion_accuracy"],
        **final,
        "schedule": cfg.schedule,
        "policy_data": cfg.policy.train_splits or cfg.policy.data,
        "seed": cfg.seed,
        "design_guesses": list(DESIGN_GUESSES),
        "settings": list(cfg.members.settings),
        "num_train": len(train_set),
        "num_policy_train": len(policy_set),
        "num_test": len(test_set),
        "wall_time_s": round(time.perf_counter() - start, 2),
    }
    if torch.distributed.is_available() and torch.distributed.is_initialized() and torch.distributed.get_rank() != 0:
        return results
    run_dir.mkdir(parents=True, exist_ok=True)
    merge_results(run_dir, results)
    return results


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    cfg, run_dir = resolve(args, "multituning")
    results = run(cfg, run_dir, resume=not args.no_resume)
    if int(os.environ.get("RANK", 0)) == 0:
        keys = ("dataset", "ours", "standard_finetune", "baseline", "wall_time_s")
        print(json.dumps({k: results[k] for k in keys}))
    shutdown()


if __name__ == "__main__":
    main()
