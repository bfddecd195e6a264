"""Speed of avvp_clip's HAN and metrics against the original implementation's algorithms, in one run.

    python bench/avvp_clip_speed.py [--device cuda] [--repeats 10]

Prints `name, size, ours, baseline, ratio` rows (bench/timing.py: median of alternating repeats, ms per
call; ratio = baseline / ours):
- han_train_step: forward + backward of HAN at the paper's size. Baseline: the original MMIL_Net's order
  of work, re-implemented here (ResNet-152 frames projected before pooling, nn.MultiheadAttention on
  sequence-first tensors, the shared HAN layer called once per stream); same weights, outputs checked equal.
- parse_scores: the ten LLP scores of the test set (1200 videos). Baseline: per-video, per-class Python
  loops as utils/eval_metrics.py computes them (re-implemented here); values checked equal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/timing.py

from timing import compare, print_header, print_row  # noqa: E402

from avvp_clip.config import HANConfig  # noqa: E402
from avvp_clip.metrics import parse_scores  # noqa: E402
from avvp_clip.model import HAN  # noqa: E402


class ReferenceLayer(nn.Module):
    def __init__(self, d: int, ffn: int) -> None:
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d, 1, dropout=0.1)
        self.cm_attn = nn.MultiheadAttention(d, 1, dropout=0.1)
        self.linear1, self.linear2 = nn.Linear(d, ffn), nn.Linear(ffn, d)
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.drop = nn.Dropout(0.1)

    def forward(self, q: torch.Tensor, kv: torch.Tensor) -> torch.Tensor:
        q, kv = q.permute(1, 0, 2), kv.permute(1, 0, 2)
        x = q + self.drop(self.cm_attn(q, kv, kv)[0]) + self.drop(self.self_attn(q, q, q)[0])
        x = self.norm1(x)
        x = self.norm2(x + self.drop(self.linear2(self.drop(F.relu(self.linear1(x))))))
        return x.permute(1, 0, 2)


class ReferenceHAN(nn.Module):
    """The original's order of work (weights loadable from our state dict)."""

    def __init__(self, cfg: HANConfig) -> None:
        super().__init__()
        d = cfg.d_model
        self.fc_a, self.fc_v = nn.Linear(cfg.audio_dim, d), nn.Linear(cfg.visual_dim, d)
        self.fc_st, self.fc_fusion = nn.Linear(cfg.motion_dim, d), nn.Linear(2 * d, d)
        self.hat_encoder = nn.Module()
        self.hat_encoder.layers = nn.ModuleList([ReferenceLayer(d, cfg.ffn_dim)])
        self.fc_prob, self.fc_frame_att = nn.Linear(d, cfg.num_classes), nn.Linear(d, cfg.num_classes)
        self.fc_av_att = nn.Linear(d, cfg.num_classes)

    def forward(self, audio, visual, motion):
        x1 = self.fc_a(audio)
        v = F.avg_pool2d(self.fc_v(visual).permute(0, 2, 1).unsqueeze(-1), (8, 1)).squeeze(-1).permute(0, 2, 1)
        x2 = self.fc_fusion(torch.cat((v, self.fc_st(motion)), dim=-1))
        layer = self.hat_encoder.layers[0]
        x1, x2 = layer(x1, x2), layer(x2, x1)
        x = torch.cat([x1.unsqueeze(-2), x2.unsqueeze(-2)], dim=-2)
        frame_prob = torch.sigmoid(self.fc_prob(x))
        temporal = torch.softmax(self.fc_frame_att(x), dim=1) * frame_prob
        global_prob = (temporal * torch.softmax(self.fc_av_att(x), dim=2)).sum(dim=2).sum(dim=1)
        return global_prob, temporal[:, :, 0].sum(1), temporal[:, :, 1].sum(1), frame_prob


def bench_han(device: torch.device, repeats: int, batch: int) -> tuple[float, float]:
    torch.manual_seed(0)
    ours = HAN(HANConfig()).to(device)
    ref = ReferenceHAN(HANConfig()).to(device)
    ref.load_state_dict(ours.state_dict(), strict=True)
    audio = torch.randn(batch, 10, 128, device=device)
    visual = torch.rand(batch, 80, 2048, device=device)
    motion = torch.rand(batch, 10, 512, device=device)
    ours.eval(), ref.eval()
    with torch.no_grad():
        for a, b in zip(ours(audio, visual, motion), ref(audio, visual, motion), strict=True):
            torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)
    ours.train(), ref.train()

    def step(model):
        def run():
            out = model(audio, visual, motion)
            (out[0].sum() + out[3].sum()).backward()
        return run

    return compare(step(ours), step(ref), repeats=repeats, device=device)


def reference_scores(pa, pv, ga, gv) -> dict[str, float]:
    """Per video and class, with Python loops: the original's computation."""
    def runs(seq):
        out, t = [], 0
        while t < len(seq):
            if seq[t]:
                s = t
                while t < len(seq) and seq[t]:
                    t += 1
                out.append((s, t))
            else:
                t += 1
        return out

    def counts(p, g, level):
        if level == "seg":
            return int((p * g).sum()), int(((1 - p) * g).sum()), int((p * (1 - g)).sum())
        ep, eg = runs(p), runs(g)

        def hit(x, y):
            inter = max(0, min(x[1], y[1]) - max(x[0], y[0]))
            return inter >= 0.5 * ((x[1] - x[0]) + (y[1] - y[0]) - inter)
        tp = sum(any(hit(x, y) for y in eg) for x in ep)
        return tp, sum(not any(hit(y, x) for x in ep) for y in eg), len(ep) - tp

    def mean_f(rows):
        fs = [2 * tp / (2 * tp + fn + fp) for tp, fn, fp in rows if tp + fn + fp > 0]
        return sum(fs) / len(fs) if fs else 1.0

    out = {}
    for level in ("seg", "event"):
        per = {k: [] for k in ("audio", "visual", "av", "event_av")}
        for i in range(len(pa)):
            ca = [counts(pa[i, c], ga[i, c], level) for c in range(pa.shape[1])]
            cv = [counts(pv[i, c], gv[i, c], level) for c in range(pa.shape[1])]
            cav = [counts(pa[i, c] * pv[i, c], ga[i, c] * gv[i, c], level) for c in range(pa.shape[1])]
            per["audio"].append(mean_f(ca))
            per["visual"].append(mean_f(cv))
            per["av"].append(mean_f(cav))
            per["event_av"].append(mean_f([tuple(x + y for x, y in zip(a, v, strict=True))
                                           for a, v in zip(ca, cv, strict=True)]))
        m = {k: 100 * float(np.mean(v)) for k, v in per.items()}
        out |= {f"{level}_{k}": v for k, v in m.items()}
        out[f"{level}_type_av"] = (m["av"] + m["audio"] + m["visual"]) / 3
    return out


def bench_metrics(repeats: int, videos: int = 1200) -> tuple[float, float]:
    rng = np.random.RandomState(0)
    arrays = [(rng.random_sample((videos, 25, 10)) < 0.05).astype(np.int64) for _ in range(4)]
    ours, ref = parse_scores(*arrays), reference_scores(*arrays)
    assert all(abs(ours[k] - ref[k]) < 1e-9 for k in ours), "parse_scores differs from the reference"
    return compare(lambda: parse_scores(*arrays), lambda: reference_scores(*arrays), repeats=max(3, repeats // 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    device = torch.device(args.device)
    print_header()
    print_row("han_train_step", f"batch {args.batch} on {device.type}", *bench_han(device, args.repeats, args.batch))
    print_row("parse_scores", "1200 videos", *bench_metrics(args.repeats))


if __name__ == "__main__":
    main()
