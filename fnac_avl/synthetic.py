"""A generated audio-visual localisation dataset in the official on-disk layouts (for smoke runs and tests).

Each clip: an image with two large shapes of different colours, one in each half (left/right or
top/bottom), and 3.2 s of audio: a tone whose pitch belongs to one of the two colours (plus a little noise).
The sounding shape is the one whose colour matches the tone; its bounding box is the ground truth. A model
can only localise it by learning which colour goes with which pitch, from audio-visual correspondence alone.

Written layouts (those of fnac_avl.data):
    ROOT/train/frames/<id>.jpg, ROOT/train/audio/<id>.wav, ROOT/metadata/flickr_smoke.txt   (training)
    ROOT/flickr_test/<id>.jpg + <id>.wav, ROOT/flickr_test_anno/<id>.xml, ROOT/metadata/flickr_test.csv
    ROOT/vggss_test/frames/<id>.png + audio/<id>.wav, ROOT/metadata/vggss.json, ROOT/metadata/vggss_test.csv
"""

from __future__ import annotations

import json
import wave
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from fnac_avl.config import FNACConfig
from fnac_avl.losses import training_loss

# (RGB, tone frequency in Hz)
PALETTE = [((230, 30, 30), 200.0), ((30, 200, 50), 270.0), ((40, 70, 235), 365.0), ((245, 225, 30), 490.0),
           ((240, 130, 20), 660.0), ((160, 40, 220), 890.0), ((30, 220, 220), 1200.0), ((250, 250, 250), 1620.0)]
SAMPLE_RATE = 4000  # 3 s -> a (257, 49) spectrogram: the smoke run's audio encoder stays cheap
SECONDS = 3.2


def _draw_clip(rng: np.random.Generator, size: int, rate: int = SAMPLE_RATE) -> tuple[Image.Image, np.ndarray, list[int]]:
    """Image, waveform (int16) and the sounding shape's box (xmin, ymin, xmax, ymax) in pixels."""
    colours = rng.choice(len(PALETTE), size=2, replace=False)
    sounding = int(rng.integers(2))
    background = tuple(int(v) for v in rng.integers(60, 140, size=3))
    img = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(img)
    vertical_split = bool(rng.integers(2))
    boxes = []
    for slot, colour in enumerate(colours):
        long = int(size * rng.uniform(0.75, 0.95))
        short = int(size * rng.uniform(0.38, 0.48))
        w, h = (short, long) if vertical_split else (long, short)
        half = size // 2
        if vertical_split:
            x0 = slot * half + int(rng.integers(0, max(half - w, 0) + 1))
            y0 = int(rng.integers(0, size - h + 1))
        else:
            x0 = int(rng.integers(0, size - w + 1))
            y0 = slot * half + int(rng.integers(0, max(half - h, 0) + 1))
        box = [x0, y0, x0 + w, y0 + h]
        fill = tuple(int(np.clip(c + rng.integers(-20, 21), 0, 255)) for c in PALETTE[colour][0])
        (draw.ellipse if rng.integers(2) else draw.rectangle)(box, fill=fill)
        boxes.append(box)
    noise = rng.integers(-12, 13, size=(size, size, 3))
    img = Image.fromarray(np.clip(np.asarray(img, dtype=np.int16) + noise, 0, 255).astype(np.uint8))
    t = np.arange(int(rate * SECONDS)) / rate
    freq = PALETTE[colours[sounding]][1] * rng.uniform(0.97, 1.03)
    # the tone with two harmonics, over faint noise
    audio = sum(0.3 / k * np.sin(2 * np.pi * k * freq * t + rng.uniform(0, 2 * np.pi)) for k in (1, 2, 3))
    audio = audio + 0.003 * rng.standard_normal(t.shape)
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    return img, pcm, boxes[sounding]


def _write_wav(path: Path, pcm: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def _flickr_xml(path: Path, box_224: list[int]) -> None:
    """Two annotators' identical boxes, in the 256-pixel coordinates of the Flickr-SoundNet files."""
    root = ET.Element("annotation")
    bbs = ET.SubElement(root, "bbs")
    for annotator in range(2):
        bbox = ET.SubElement(bbs, "bbox")
        ET.SubElement(bbox, "annotator").text = str(annotator)
        for tag, v in zip(("xmin", "ymin", "xmax", "ymax"), box_224, strict=True):
            # +1 then int(224 * v / 256) in the reader gives back the same 224-pixel value
            ET.SubElement(bbox, tag).text = str(int(np.ceil(v * 256 / 224)))
    ET.ElementTree(root).write(path)


def generate(root: str | Path, num_train: int = 512, num_test: int = 96, size: int = 128, seed: int = 0,
             sample_rate: int = SAMPLE_RATE) -> Path:
    """Write the dataset under `root` (skipped when it is already complete); returns `root`."""
    root = Path(root)
    done = root / "DONE"
    settings = {"num_train": num_train, "num_test": num_test, "size": size, "seed": seed}
    if sample_rate != SAMPLE_RATE:
        settings["sample_rate"] = sample_rate
    settings = json.dumps(settings)
    if done.is_file():
        if done.read_text().strip() != settings:
            raise FileExistsError(f"{root} holds a generated dataset made with {done.read_text().strip()}, not "
                                  f"{settings}; delete the folder or choose another")
        return root
    rng = np.random.default_rng(seed)
    meta = root / "metadata"
    for d in (root / "train/frames", root / "train/audio", root / "flickr_test", root / "flickr_test_anno",
              root / "vggss_test/frames", root / "vggss_test/audio", meta):
        d.mkdir(parents=True, exist_ok=True)
    train_ids = [f"{100000 + i}" for i in range(num_train)]
    for cid in train_ids:
        img, pcm, _ = _draw_clip(rng, size, sample_rate)
        img.save(root / "train/frames" / f"{cid}.jpg", quality=95)
        _write_wav(root / "train/audio" / f"{cid}.wav", pcm, sample_rate)
    # one id of the folders is left out of the subset list, as the official lists leave clips out
    (meta / "flickr_smoke.txt").write_text("\n".join(train_ids[:-1]) + "\n")
    flickr_rows, vggss_rows, vggss_json = [], [], []
    for i in range(num_test):
        img, pcm, box = _draw_clip(rng, size, sample_rate)
        box_224 = [int(v * 224 / size) for v in box]
        fid, vid = f"{900000 + i}", f"smoke{i:05d}_000010"
        img.save(root / "flickr_test" / f"{fid}.jpg", quality=95)
        _write_wav(root / "flickr_test" / f"{fid}.wav", pcm, sample_rate)
        _flickr_xml(root / "flickr_test_anno" / f"{fid}.xml", box_224)
        flickr_rows.append(f"{fid},0")
        img.save(root / "vggss_test/frames" / f"{vid}.png")
        _write_wav(root / "vggss_test/audio" / f"{vid}.wav", pcm, sample_rate)
        vggss_json.append({"file": vid, "class": "tone", "bbox": [[v / size for v in box]]})
        vggss_rows.append(vid)
    (meta / "flickr_test.csv").write_text("\n".join(flickr_rows) + "\n")
    (meta / "vggss_test.csv").write_text("\n".join(vggss_rows) + "\n")
    (meta / "vggss.json").write_text(json.dumps(vggss_json))
    done.write_text(settings + "\n")
    return root


def example_loss(model: torch.nn.Module, cfg: FNACConfig, device: torch.device) -> torch.Tensor:
    """The training loss (model in train mode, after warmup: every FNAC term) on a generated batch of 2 clips
    at the config's shapes (3 s of 16 kHz audio: a (1, 257, 200) spectrogram), made on `device`."""
    size = cfg.data.image_size
    batch = {"image": torch.randn(2, 3, size, size, device=device),
             "spec": torch.randn(2, 1, 257, 200, device=device)}
    model.train()
    return training_loss(model, batch, cfg, warmup=False)[0]


def write_paper_shaped(root: str | Path, clips: int = 4) -> dict[str, str]:
    """The dryrun's data: a few clips of 224 px frames and 16 kHz audio in the Flickr-SoundNet and VGG-SS
    layouts with the metadata files the paper configs read; returns DataConfig fields for both test sets."""
    root = Path(root)
    # one more training clip: the subset list leaves one out, as the official lists do
    generate(root / "generated", clips + 1, clips, 224, sample_rate=16000)
    return {"train_root": str(root / "generated/train"), "subset_list": str(root / "generated/metadata/flickr_smoke.txt"),
            "flickr_test_root": str(root / "generated/flickr_test"),
            "flickr_test_csv": str(root / "generated/metadata/flickr_test.csv"),
            "flickr_annotations": str(root / "generated/flickr_test_anno"),
            "vggss_test_root": str(root / "generated/vggss_test"),
            "vggss_test_csv": str(root / "generated/metadata/vggss_test.csv"),
            "vggss_annotations": str(root / "generated/metadata/vggss.json")}


def write_imagenet_resnet18(path: str | Path, seed: int = 0) -> Path:
    """Random tensors in the key set, shapes and format of torchvision's resnet18-f37072fd.pth (a plain state
    dict with fc.*; BatchNorm's num_batches_tracked left out, as in torchvision's early ImageNet files)."""
    import torchvision

    from shared.dryrun import write_torchvision_weights

    return write_torchvision_weights(lambda: torchvision.models.resnet18(weights=None), path, seed)
