"""Evaluation over clips as the original test.py: metrics per batch of clips, averaged over batches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from avsbench.data import AVSDataset
from avsbench.metrics import f_score, jaccard


def batched_scores(probs: list[torch.Tensor], targets: list[torch.Tensor], clips_per_batch: int) -> dict[str, float]:
    """probs/targets: one (5, H, W) tensor per clip. test.sh uses --test_batch_size 4."""
    mious, fs = [], []
    for i in range(0, len(probs), clips_per_batch):
        p = torch.cat(probs[i: i + clips_per_batch])
        t = torch.cat(targets[i: i + clips_per_batch])
        mious.append(jaccard(p, t).item())
        fs.append(f_score(p, t))
    return {"miou": float(np.mean(mious)), "f_score": float(np.mean(fs))}


@torch.no_grad()
def predict(system: torch.nn.Module, dataset: AVSDataset, device: torch.device, batch_size: int = 4):
    """Per clip: probabilities (5, H, W) and ground truth (5, H, W)."""
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False)
    probs, targets = [], []
    for batch in loader:
        logits, _, _ = system(batch["frames"].to(device), batch["log_mel"].to(device))
        p = torch.sigmoid(logits.float()).cpu().reshape(batch["frames"].shape[0], -1, *logits.shape[-2:])
        probs += list(p)
        targets += list(batch["masks"][:, :, 0])
    return probs, targets


def save_masks(probs: list[torch.Tensor], dataset: AVSDataset, out_dir: str | Path) -> Path:
    """Binary masks (0/255 PNG) as the original save_mask: S4 {category}/{name}/{name}_{k}.png, k = 0..4."""
    out_dir = Path(out_dir)
    for p, clip in zip(probs, dataset.clips, strict=True):
        folder = out_dir / clip.category / clip.name if clip.category else out_dir / clip.name
        folder.mkdir(parents=True, exist_ok=True)
        for k, frame in enumerate(p):
            Image.fromarray(((frame > 0.5).numpy() * 255).astype(np.uint8)).save(folder / f"{clip.name}_{k}.png")
    return out_dir
