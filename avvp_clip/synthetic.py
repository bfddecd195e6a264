"""A tiny generated LLP dataset in the official layout, with planted segment-level events; `example_loss`.

Each video gets 1-3 classes; each class is audio-only, visual-only or both, and each of its tracks is
an interval of 2-7 seconds. Features are class prototypes added on the active seconds plus noise, at
the official sizes (VGGish 10x128, ResNet-152 80x2048, R(2+1)D 10x512). CLIP probabilities imitate a
zero-shot classifier: softmax over classes of logits that are higher for the visible classes, with
noise, so that thresholded pseudo labels are informative but imperfect. Written: the label CSVs
(train/val/test), the dense evaluation CSVs (val and test), `feats/{vggish,res152,r2plus1d_18,clip}`.
As the released AVVP_eval_audio.csv, the audio annotations also hold rows whose onset >= offset (onset
== offset, and onset 9 with offset 0): the reader takes them as empty ranges, as the original does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

from avvp_clip.config import NUM_SEGMENTS, AVVPConfig, GeneratorConfig
from avvp_clip.data import CATEGORIES
from avvp_clip.losses import training_loss

SPLIT_FILES = {"train": "AVVP_train.csv", "val": "AVVP_val_pd.csv", "test": "AVVP_test_pd.csv"}


def _interval(rng: np.random.RandomState) -> tuple[int, int]:
    length = rng.randint(2, 8)
    onset = rng.randint(0, NUM_SEGMENTS - length + 1)
    return onset, onset + length


def _video_events(rng: np.random.RandomState, cfg: GeneratorConfig) -> tuple[np.ndarray, np.ndarray]:
    """Dense (C, T) audio and visual events of one video; every chosen class has at least one track."""
    audio = np.zeros((len(CATEGORIES), NUM_SEGMENTS), dtype=np.int64)
    visual = np.zeros_like(audio)
    for c in rng.choice(cfg.num_classes_used, size=rng.randint(1, 4), replace=False):
        kind = rng.choice(["audio", "visual", "both", "both"])
        if kind in ("audio", "both"):
            audio[c, slice(*_interval(rng))] = 1
        if kind in ("visual", "both"):
            visual[c, slice(*_interval(rng))] = 1
    return audio, visual


def _rows(name: str, dense: np.ndarray) -> list[tuple[str, int, int, str]]:
    """Annotation rows (filename, onset, offset, class) of the runs of a (C, T) array."""
    rows = []
    for c, seq in enumerate(dense):
        t = 0
        while t < NUM_SEGMENTS:
            if seq[t]:
                start = t
                while t < NUM_SEGMENTS and seq[t]:
                    t += 1
                rows.append((name, start, t, CATEGORIES[c]))
            else:
                t += 1
    return rows


def degenerate_rows(name: str) -> list[tuple[str, int, int, str]]:
    """Rows like the released AVVP_eval_audio.csv's odd ones: onset == offset (0, 9, 10) and onset > offset."""
    return [(name, 9, 9, "Speech"), (name, 0, 0, "Dog"), (name, 10, 10, "Cat"), (name, 9, 0, "Cheering")]


def write_llp_dataset(root: str | Path, cfg: GeneratorConfig | None = None) -> Path:
    """Write the dataset into the LLP folder `root` (label CSVs, feats/); returns `root`."""
    cfg = cfg or GeneratorConfig()
    rng = np.random.RandomState(cfg.seed)
    data = Path(root)
    feats = data / "feats"
    folders = {k: feats / k for k in ("vggish", "res152", "r2plus1d_18", "clip")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    c = len(CATEGORIES)
    proto_a = rng.standard_normal((c, 128)).astype(np.float32)
    # sparse non-negative visual prototypes, like post-ReLU CNN features
    proto_v = (np.abs(rng.standard_normal((c, 2048))) * (rng.random_sample((c, 2048)) < 0.1) * 3).astype(np.float32)
    proto_m = (np.abs(rng.standard_normal((c, 512))) * (rng.random_sample((c, 512)) < 0.1) * 3).astype(np.float32)
    eval_audio, eval_visual = [], []
    counter = 0
    for split, count in (("train", cfg.num_train), ("val", cfg.num_val), ("test", cfg.num_test)):
        weak = []
        for _ in range(count):
            vid = f"gen{counter:08d}"
            name = f"{vid}_{counter % 50}_{counter % 50 + 10}"
            counter += 1
            audio, visual = _video_events(rng, cfg)
            present = np.nonzero((audio + visual).sum(1))[0]
            weak.append((name, ",".join(CATEGORIES[k] for k in present)))
            if split != "train":
                if len(weak) == 1:  # the split's first video: odd rows among its real ones
                    eval_audio += degenerate_rows(name)
                eval_audio += _rows(name, audio)
                eval_visual += _rows(name, visual)
            amp = cfg.amplitude
            a = amp * audio.T.astype(np.float32) @ proto_a + cfg.noise * rng.standard_normal((NUM_SEGMENTS, 128))
            v_sec = amp * visual.T.astype(np.float32) @ proto_v  # 10, 2048
            v = np.repeat(v_sec, 8, axis=0) + cfg.noise * np.abs(rng.standard_normal((8 * NUM_SEGMENTS, 2048)))
            m = amp * visual.T.astype(np.float32) @ proto_m + cfg.noise * np.abs(rng.standard_normal((NUM_SEGMENTS, 512)))
            logits = cfg.clip_logit_gap * visual.T + cfg.clip_noise * rng.standard_normal((NUM_SEGMENTS, c))
            prob = np.exp(logits - logits.max(1, keepdims=True))
            prob /= prob.sum(1, keepdims=True)
            np.save(folders["vggish"] / f"{vid[:11]}.npy", a.astype(np.float32))
            np.save(folders["res152"] / f"{vid[:11]}.npy", v.astype(np.float16))  # half the disk; read as float32
            np.save(folders["r2plus1d_18"] / f"{vid[:11]}.npy", m.astype(np.float32))
            np.save(folders["clip"] / f"{vid[:11]}.npy", prob.astype(np.float32))
        pd.DataFrame(weak, columns=["filename", "event_labels"]).to_csv(data / SPLIT_FILES[split], sep="\t",
                                                                         index=False)
    columns = ["filename", "onset", "offset", "event_labels"]
    pd.DataFrame(eval_audio, columns=columns).to_csv(data / "AVVP_eval_audio.csv", sep="\t", index=False)
    pd.DataFrame(eval_visual, columns=columns).to_csv(data / "AVVP_eval_visual.csv", sep="\t", index=False)
    return data


def example_loss(model: torch.nn.Module, cfg: AVVPConfig, device: torch.device) -> torch.Tensor:
    """The training loss of `cfg` (model in train mode) on two generated videos at LLP's feature sizes."""
    m, c = cfg.model, cfg.model.num_classes
    g = torch.Generator().manual_seed(0)
    label = torch.zeros(2, c)
    label[0, :2] = label[1, 3] = 1.0
    batch = {
        "audio": torch.randn(2, NUM_SEGMENTS, m.audio_dim, generator=g).to(device),
        "visual": torch.randn(2, NUM_SEGMENTS * m.frames_per_segment, m.visual_dim, generator=g).abs().to(device),
        "motion": torch.randn(2, NUM_SEGMENTS, m.motion_dim, generator=g).abs().to(device),
        "label": label.to(device),
        "pseudo": (label[:, None, :] * (torch.rand(2, NUM_SEGMENTS, c, generator=g) < 0.5)).to(device),
    }
    model.train()
    out = model(batch["audio"], batch["visual"], batch["motion"])
    return training_loss(out, batch, cfg.loss)[0]
