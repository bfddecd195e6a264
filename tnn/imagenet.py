"""Train and evaluate the TNN image classifier on ImageNet with the original recipe's timm pieces.

    python -m tnn.imagenet --config tnn/configs/imagenet_deit_tiny.py [--set key=value ...] [--run-dir DIR]
    torchrun --nproc_per_node 8 -m tnn.imagenet --config tnn/configs/imagenet_deit_small.py   # data parallel

As OpenNLPLab/im classification/main.py (DeiT's main.py) run by OpenNLPLab/Tnn train_im.sh:
ImageFolder `train/` and `val/`; timm's training transform (RandAugment rand-m9-mstd0.5-inc1, bicubic,
colour jitter 0.4, random erasing 0.25 in pixel mode), repeated-augmentation sampling (3 repeats);
Mixup 0.8 / CutMix 1.0 with label smoothing 0.1 and soft-target cross-entropy; evaluation after a bicubic
resize to 256 and a centre crop of 224; timm's AdamW (lr x global batch / 512, weight decay 0.05 except
1-D parameters, eps 1e-8); timm's cosine schedule stepped per epoch (10 warm-up epochs from 1e-6, min
lr 1e-5); gradient clipping 5; fp32. No EMA and no drop path, as the original (it ignores --drop-path).
Under `torchrun` (one process per GPU; `batch_size` is the global batch, split evenly) the model is wrapped in
DistributedDataParallel, each process samples its share (repeated augmentation over the replicas) and the
validation counts are summed over processes. results.json holds `metric` ("top1"), `ours`, `baseline`
(chance), `top5`.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import torch

from shared.cli import resolve, train_parser
from shared.config import save_config
from shared.distributed import DistInfo, init_distributed, shutdown
from shared.rng import seed_everything
from shared.runlog import merge_results
from tnn.config import ImageNetConfig
from tnn.model import build_model


class DataError(ValueError):
    pass


def transforms(cfg: ImageNetConfig, train: bool):
    from timm.data import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD, create_transform
    from torchvision import transforms as T

    size = cfg.model.image_size
    if train:
        return create_transform(input_size=size, is_training=True, color_jitter=cfg.color_jitter,
                                auto_augment=cfg.auto_augment, interpolation=cfg.interpolation, re_prob=cfg.reprob,
                                re_mode=cfg.remode, re_count=1)
    resize = int(cfg.eval_resize / 224 * size)  # 256 at 224 px, the same ratio at other sizes
    return T.Compose([T.Resize(resize, interpolation=T.InterpolationMode.BICUBIC), T.CenterCrop(size), T.ToTensor(),
                      T.Normalize(IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD)])


def image_folder(cfg: ImageNetConfig, split: str):
    from torchvision.datasets import ImageFolder

    root = Path(cfg.data_root) / split
    if not root.is_dir():
        raise DataError(f"{root}: missing; expected ImageNet in ImageFolder layout ({split}/<class>/<image>), "
                        "e.g. the ILSVRC2012 train and val archives unpacked with val images sorted into class folders")
    try:
        data = ImageFolder(str(root), transform=transforms(cfg, split == "train"))
    except FileNotFoundError as err:
        raise DataError(f"{root}: {err}") from err
    if len(data.classes) != cfg.model.num_classes:
        raise DataError(f"{root}: {len(data.classes)} class folders, but model.num_classes={cfg.model.num_classes}")
    return data


def loaders(cfg: ImageNetConfig, dist: DistInfo) -> tuple[torch.utils.data.DataLoader, torch.utils.data.DataLoader]:
    """Each process's loaders: its share of the global batch and of the validation images."""
    from timm.data.distributed_sampler import RepeatAugSampler
    from torch.utils.data.distributed import DistributedSampler

    if cfg.batch_size % dist.world_size:
        raise ValueError(f"batch_size={cfg.batch_size} does not split over {dist.world_size} processes")
    train, val = image_folder(cfg, "train"), image_folder(cfg, "val")
    if train.class_to_idx != val.class_to_idx:
        raise DataError(f"{cfg.data_root}: train/ and val/ have different class folders")
    replicas = dict(num_replicas=dist.world_size, rank=dist.rank)
    sampler = (RepeatAugSampler(train, shuffle=True, **replicas) if cfg.repeated_aug
               else DistributedSampler(train, shuffle=True, **replicas))
    per_process = cfg.batch_size // dist.world_size
    if (cfg.mixup > 0 or cfg.cutmix > 0) and per_process % 2:
        raise ValueError(f"batch_size={cfg.batch_size} gives {per_process} images per process; Mixup/CutMix ('batch' "
                         "mode) needs an even number")
    train_loader = torch.utils.data.DataLoader(train, batch_size=per_process, sampler=sampler,
                                               num_workers=cfg.num_workers, drop_last=True)
    if len(train_loader) == 0:
        raise DataError(f"{cfg.data_root}/train: {len(train)} images make no batch of {cfg.batch_size}")
    # every validation image once: process r takes images r, r + world, ...
    val_share = torch.utils.data.Subset(val, range(dist.rank, len(val), dist.world_size))
    val_loader = torch.utils.data.DataLoader(val_share, batch_size=cfg.eval_batch_size, shuffle=False,
                                             num_workers=cfg.num_workers)
    return train_loader, val_loader


def optimizer_and_schedule(model: torch.nn.Module, cfg: ImageNetConfig):
    from timm.optim import create_optimizer_v2
    from timm.scheduler import CosineLRScheduler

    lr = cfg.lr * cfg.batch_size / 512  # main.py: linear scaling with the global batch
    optimizer = create_optimizer_v2(model, opt="adamw", lr=lr, weight_decay=cfg.weight_decay, eps=cfg.eps)
    schedule = CosineLRScheduler(optimizer, t_initial=cfg.epochs, lr_min=cfg.min_lr, warmup_t=cfg.warmup_epochs,
                                 warmup_lr_init=cfg.warmup_lr, cycle_limit=1, t_in_epochs=True)
    return optimizer, schedule


def mixup(cfg: ImageNetConfig):
    from timm.data import Mixup

    return Mixup(mixup_alpha=cfg.mixup, cutmix_alpha=cfg.cutmix, prob=1.0, switch_prob=0.5, mode="batch",
                 label_smoothing=cfg.smoothing, num_classes=cfg.model.num_classes)


def soft_target_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    from timm.loss import SoftTargetCrossEntropy

    return SoftTargetCrossEntropy()(logits.float(), target)


@torch.no_grad()
def evaluate(model: torch.nn.Module, loader, device: torch.device, max_batches: int = 0) -> dict[str, float]:
    """Top-1 and top-5 accuracy over the images of every process."""
    model.eval()
    top1 = top5 = total = 0
    for i, (images, labels) in enumerate(loader):
        if 0 < max_batches <= i:
            break
        logits = model(images.to(device))
        best = logits.topk(min(5, logits.shape[-1]), dim=-1).indices.cpu()
        top1 += int((best[:, 0] == labels).sum())
        top5 += int((best == labels.unsqueeze(1)).any(1).sum())
        total += len(labels)
    model.train()
    counts = torch.tensor([top1, top5, total], dtype=torch.float64, device=device)
    if torch.distributed.is_initialized():
        torch.distributed.all_reduce(counts)
    top1, top5, total = counts.tolist()
    return {"top1": top1 / max(total, 1), "top5": top5 / max(total, 1), "val_images": int(total)}


def run(cfg: ImageNetConfig, run_dir: str | Path) -> dict:
    start = time.perf_counter()
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    save_config(cfg, run_dir / "config.json")
    dist = init_distributed()
    seed_everything(cfg.seed)  # the same initial weights in every process
    device = dist.device
    train_loader, val_loader = loaders(cfg, dist)
    model = build_model(cfg).to(device).train()
    optimizer, schedule = optimizer_and_schedule(model, cfg)
    forward = (torch.nn.parallel.DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
               if dist.distributed else model)
    seed_everything(cfg.seed + dist.rank)  # each process its own augmentation and Mixup draws
    mix = mixup(cfg)
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=cfg.precision == "bf16")
    step, epochs = 0, cfg.epochs
    if cfg.max_steps > 0:
        epochs = min(epochs, math.ceil(cfg.max_steps / len(train_loader)))
    losses, epoch_lrs = [], []
    for epoch in range(epochs):
        epoch_lrs.append(optimizer.param_groups[0]["lr"])
        if hasattr(train_loader.sampler, "set_epoch"):
            train_loader.sampler.set_epoch(epoch)
        for images, labels in train_loader:
            images, target = mix(images.to(device), labels.to(device))
            with autocast:
                loss = soft_target_loss(forward(images), target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad_norm)
            optimizer.step()
            losses.append(float(loss.detach()))
            step += 1
            if 0 < cfg.max_steps <= step:
                break
        schedule.step(epoch)  # as main.py: after epoch e, the LR of t = e (so epoch e + 1 trains at lr(e))
        if 0 < cfg.max_steps <= step:
            break
    if dist.is_main:
        torch.save(model.state_dict(), run_dir / "model.pt")
    metrics = evaluate(model, val_loader, device, cfg.eval_max_batches)
    results = {"metric": "top1", "ours": metrics["top1"], "baseline": 1 / cfg.model.num_classes,
               "baseline_name": "chance", **metrics, "step": step, "epochs_run": epochs, "epoch_lrs": epoch_lrs,
               "train_loss_last": losses[-1],
               "num_parameters": sum(p.numel() for p in model.parameters()),
               "wall_time_s": round(time.perf_counter() - start, 2)}
    if dist.is_main:
        merge_results(run_dir, results)
    return results


def main() -> None:
    args = train_parser(__doc__.split("\n\n")[0]).parse_args()
    cfg, run_dir = resolve(args, "tnn")
    results = run(cfg, run_dir)
    print(json.dumps({k: v for k, v in results.items() if k != "epoch_lrs"}))
    shutdown()


if __name__ == "__main__":
    main()
