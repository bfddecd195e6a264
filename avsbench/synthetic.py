"""A generated AVSBench-object dataset in the official layout, for tests and the smoke profile.

Each clip shows two coloured shapes drifting over a noisy background; only one of them "sounds":
the WAV holds the tone of its colour (red 440 Hz, green 1320 Hz, blue 2960 Hz). The ground-truth
mask is the sounding shape, so a model can only find it by listening.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import soundfile
import torch
from PIL import Image, ImageDraw

from avsbench.config import AVSConfig
from avsbench.data import NUM_FRAMES, Clip, audio_path, data_dir, frame_path, mask_path, meta_csv
from avsbench.losses import training_loss
from avsbench.prepare import write_log_mels

SOURCES = {"red": ((220, 40, 40), 440.0), "green": ((40, 200, 60), 1320.0), "blue": ((50, 80, 230), 2960.0)}
SAMPLE_RATE = 16000


def _draw(size: int, objects: list[tuple[str, tuple[float, float], float]], rng: np.random.Generator):
    """RGB frame and one mask per object; objects: (colour, centre, radius)."""
    bg = np.clip(110 + 25 * rng.standard_normal((size, size, 3)), 0, 255).astype(np.uint8)
    img = Image.fromarray(bg)
    draw = ImageDraw.Draw(img)
    masks = []
    for colour, (cx, cy), r in objects:
        box = (cx - r, cy - r, cx + r, cy + r)
        m = Image.new("L", (size, size), 0)
        mdraw = ImageDraw.Draw(m)
        if colour == "green":
            draw.rectangle(box, fill=SOURCES[colour][0])
            mdraw.rectangle(box, fill=255)
        else:
            draw.ellipse(box, fill=SOURCES[colour][0])
            mdraw.ellipse(box, fill=255)
        masks.append(m)
    return img, masks


def _tone(freq: float, seconds: float, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    wave = 0.5 * np.sin(2 * np.pi * freq * t) + 0.02 * rng.standard_normal(t.size)
    return (np.clip(wave, -1, 1) * 32767).astype(np.int16)


def generate(root: str | Path, setting: str = "s4", num_clips: dict[str, int] | None = None, image_size: int = 64,
             seed: int = 0) -> Path:
    """Write the dataset under `root` (the folder holding the meta CSV) and its log-mel pickles; returns root."""
    root = Path(root)
    num_clips = num_clips or {"train": 48, "val": 8, "test": 16}
    rng = np.random.default_rng(seed)
    rows = []
    colours = list(SOURCES)
    for split, n in num_clips.items():
        for i in range(n):
            pair = rng.choice(len(colours), size=2, replace=False)
            sounding = colours[pair[0]]
            name = f"{split}{i:04d}_{sounding}"
            clip = Clip(name, sounding if setting == "s4" else "", split)
            rows.append([name, 0, sounding, split])
            r = image_size * rng.uniform(0.12, 0.18, size=2)
            # the two shapes sit in opposite halves, so they never overlap
            left = rng.random() < 0.5
            xs = [image_size * (0.27 if left else 0.73), image_size * (0.73 if left else 0.27)]
            ys = image_size * rng.uniform(0.3, 0.7, size=2)
            drift = rng.uniform(-1.5, 1.5, size=(2, 2))
            for k in range(1, NUM_FRAMES + 1):
                objects = [(colours[pair[j]], (xs[j] + drift[j, 0] * k, ys[j] + drift[j, 1] * k), r[j]) for j in range(2)]
                img, masks = _draw(image_size, objects, rng)
                fp = frame_path(root, setting, clip, k)
                fp.parent.mkdir(parents=True, exist_ok=True)
                img.save(fp)
                if split != "train" or setting == "ms3" or k == 1:
                    mp = mask_path(root, setting, clip, k)
                    mp.parent.mkdir(parents=True, exist_ok=True)
                    masks[0].save(mp)
            wav = audio_path(root, setting, clip, "audio_wav")
            wav.parent.mkdir(parents=True, exist_ok=True)
            soundfile.write(wav, _tone(SOURCES[sounding][1], NUM_FRAMES, rng), SAMPLE_RATE, subtype="PCM_16")
    data_dir(root, setting).mkdir(parents=True, exist_ok=True)
    with meta_csv(root, setting).open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "start", "category", "split"] if setting == "s4" else ["name", "start", "a_obj", "split"])
        writer.writerows(rows)
    write_log_mels(root, setting)
    return root


def example_loss(model: torch.nn.Module, cfg: AVSConfig, device: torch.device) -> torch.Tensor:
    """The training loss (model in train mode) on one generated clip at the config's shapes, made on `device`."""
    t, size = cfg.model.num_frames, cfg.data.image_size
    frames = torch.randn(1, t, 3, size, size, device=device)
    log_mel = torch.randn(1, t, 1, 96, 64, device=device)
    num_masks = 1 if cfg.data.setting == "s4" else t
    masks = (torch.rand(1, num_masks, 1, size, size, device=device) > 0.5).float()
    model.train()
    loss, _ = training_loss(cfg, model(frames, log_mel), {"masks": masks})
    return loss


def write_dataset(avsbench_root: str | Path, setting: str, clips: int = 2, image_size: int = 224) -> Path:
    """A handful of clips per split in the official layout at paper shapes (dryrun); returns the setting's root."""
    from avsbench.config import SETTING_FOLDERS

    root = Path(avsbench_root) / SETTING_FOLDERS[setting]
    if not meta_csv(root, setting).is_file():
        generate(root, setting, {"train": clips, "val": clips, "test": clips}, image_size, seed=0)
    return root


def _pvt_release_key(timm_key: str) -> str:
    """timm PVT-v2 key -> the PVT-v2 release's (inverse of avsbench.convert._pvt_key)."""
    import re

    k = timm_key.replace("mlp.dwconv.", "mlp.dwconv.dwconv.")
    k = re.sub(r"^stages\.(\d+)\.downsample\.", lambda m: f"patch_embed{int(m.group(1)) + 1}.", k)
    k = re.sub(r"^patch_embed\.", "patch_embed1.", k)
    k = re.sub(r"^stages\.(\d+)\.blocks\.(\d+)\.", lambda m: f"block{int(m.group(1)) + 1}.{m.group(2)}.", k)
    return re.sub(r"^stages\.(\d+)\.norm\.", lambda m: f"norm{int(m.group(1)) + 1}.", k)


def released_layouts() -> dict[str, dict[str, tuple[int, ...]]]:
    """Key -> shape of each released file the recipe loads (what avsbench.convert reads):
    vggish-10086976.pth (torchvggish: features.*, embeddings.*), resnet50-19c8e357.pth (torchvision, saved before
    BatchNorm had num_batches_tracked, with fc.*), pvt_v2_b5.pth (the PVT-v2 release's keys, with head.*)."""
    from torchvision.models import resnet50

    from avsbench.backbones import PVTv2Features
    from avsbench.config import ModelConfig
    from avsbench.vggish import VGGish

    with torch.device("meta"):
        vggish = VGGish().state_dict()
        resnet = resnet50().state_dict()
        m = ModelConfig()
        pvt = PVTv2Features(m.pvt_embed_dims, m.pvt_depths, m.pvt_num_heads, m.pvt_sr_ratios).net.state_dict()
    pvt_release = {_pvt_release_key(k): tuple(v.shape) for k, v in pvt.items()}
    pvt_release.update({"head.weight": (1000, m.pvt_embed_dims[-1]), "head.bias": (1000,)})
    return {"vggish": {k: tuple(v.shape) for k, v in vggish.items()},
            "resnet50": {k: tuple(v.shape) for k, v in resnet.items() if not k.endswith("num_batches_tracked")},
            "pvt_v2_b5": pvt_release}


def write_released_weights(weights_root: str | Path, seed: int = 0) -> dict[str, Path]:
    """Random tensors in each released file's key set, shapes and format, as weights/<release>/<file>."""
    from avsbench.config import BACKBONE_WEIGHTS, VGGISH_WEIGHTS
    from shared.testing import seeded_state_dict

    where = {"vggish": VGGISH_WEIGHTS, **BACKBONE_WEIGHTS}
    out = {}
    for i, (name, layout) in enumerate(released_layouts().items()):
        path = Path(weights_root).joinpath(*where[name])
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.save(seeded_state_dict([[k, list(s), "float32"] for k, s in layout.items()], seed + i), path)
        out[name] = path
    return out
