"""Make the golden files of the original FNAC code for the training path (see README.md).

    python tests/fnac_avl/golden/make_golden.py PATH_TO_FNAC_AVL_CLONE

Runs OpenNLPLab/FNAC_AVL at commit 0a0ca78 (`model.py`, `datasets.py`, `audio_io.py`, `utils.py`), copied from
the clone into a scratch folder, on CPU, with `resnet18(pretrained=True)` replaced by `resnet18(weights=None)`
(no download). Writes:
  train_mode.pt      FNAC.forward in training mode (dropout 0.9 on the image features, BatchNorm batch
                     statistics) on the weights of original_keys.json, inputs (4,3,224,224) and (4,1,257,200)
                     from seed 2, dropout masks from torch.manual_seed(7): the four losses, Savl, and every
                     BatchNorm running_var after the forward
  spectrogram_16k.pt datasets.load_spectrogram of a 4.1 s mono 16 kHz WAV (257 x 200)
  items.pt           datasets.get_test_dataset's frame and spectrogram of a 300 x 200 JPG and that WAV (Flickr
                     layout), and get_train_dataset's image_transform of the JPG after torch.manual_seed(s), s = 0, 1;
                     frames stored at every second pixel
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import types
import wave
from pathlib import Path

import numpy as np
import torch
from PIL import Image

HERE = Path(__file__).resolve().parent
COMMIT = "0a0ca78"
FILES = ("model.py", "datasets.py", "audio_io.py", "utils.py")


def write_wav(path: Path, seconds: float, rate: int) -> None:
    """0.4 sin(2 pi 440 t) + 0.05 N from default_rng(3), int16 mono (the tests write the same file)."""
    t = np.arange(int(rate * seconds)) / rate
    x = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.05 * np.random.default_rng(3).standard_normal(t.shape)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype(np.int16).tobytes())


def write_jpg(path: Path) -> None:
    """A 300 x 200 image of smooth gradients and noise (default_rng(4)), JPEG quality 95."""
    rng = np.random.default_rng(4)
    yy, xx = np.mgrid[0:200, 0:300]
    img = np.stack([xx * 255 / 300, yy * 255 / 200, (xx + yy) % 256], -1) + rng.integers(-30, 31, (200, 300, 3))
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(path, quality=95)


def synth_value(key: str, shape: tuple[int, ...], gen: torch.Generator) -> torch.Tensor:
    """The weights of original_keys.json (as tests/fnac_avl/test_model_equivalence.py)."""
    if key.endswith("num_batches_tracked"):
        return torch.tensor(0)
    if key.endswith("running_var"):
        return 1.0 + 0.1 * torch.rand(shape, generator=gen)
    if key.endswith("running_mean") or key.endswith(".bias"):
        return 0.1 * torch.randn(shape, generator=gen)
    if len(shape) == 1:
        return 1.0 + 0.1 * torch.randn(shape, generator=gen)
    return torch.randn(shape, generator=gen) / int(np.prod(shape[1:])) ** 0.5


def extract(clone: Path, dest: Path) -> None:
    for name in FILES:
        text = subprocess.run(["git", "-C", str(clone), "show", f"{COMMIT}:{name}"], capture_output=True, text=True,
                              check=True).stdout
        (dest / name).write_text(text.replace("resnet18(pretrained=True)", "resnet18(weights=None)"))


def train_mode(original) -> dict:
    meta = json.loads((HERE / "original_keys.json").read_text())
    model = original.FNAC(0.03, 512, 0.9, 0.0)
    gen = torch.Generator().manual_seed(meta["seed"])
    model.load_state_dict({k: synth_value(k, tuple(s), gen) for k, s in meta["keys"]})
    g = torch.Generator().manual_seed(2)
    image, spec = torch.randn(4, 3, 224, 224, generator=g), torch.randn(4, 1, 257, 200, generator=g)
    model.train()
    torch.manual_seed(7)
    losses, savl = model(image, spec)
    return {"losses": torch.stack([x.detach() for x in losses]), "savl": savl.detach(),
            "running_var": {k: v.clone() for k, v in model.state_dict().items() if k.endswith("running_var")},
            "input_seed": 2, "dropout_seed": 7}


def items(datasets, tmp: Path) -> dict:
    test = tmp / "test"
    (test / "Annotations").mkdir(parents=True)
    (tmp / "metadata").mkdir()
    write_jpg(test / "000001.jpg")
    write_wav(test / "000001.wav", 4.1, 16000)
    (test / "Annotations" / "000001.xml").write_text(
        "<annotation><bbs><bbox><a>0</a><x>10</x><y>20</y><x>100</x><y>120</y></bbox></bbs></annotation>")
    (tmp / "metadata" / "flickr_test.csv").write_text("000001,0\n")
    args = types.SimpleNamespace(testset="flickr", test_data_path=str(test) + "/", test_gt_path=str(test / "Annotations"))
    cwd = os.getcwd()
    os.chdir(tmp)  # the original reads metadata/ relative to its working directory
    try:
        frame, spec, _, _ = datasets.get_test_dataset(args)[0]
    finally:
        os.chdir(cwd)
    train_root = tmp / "train"
    for sub in ("frames", "audio"):
        (train_root / sub).mkdir(parents=True)
    write_jpg(train_root / "frames" / "000001.jpg")
    write_wav(train_root / "audio" / "000001.wav", 4.1, 16000)
    train_image = datasets.get_train_dataset(types.SimpleNamespace(train_data_path=str(train_root),
                                                                   trainset="flickr")).image_transform
    pil = datasets.load_image(test / "000001.jpg")
    train = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        train.append(train_image(pil))
    # frames at every second pixel: a smaller file, still every resize and crop difference
    return {"test_frame": frame[..., ::2, ::2].clone(), "test_spec": spec,
            "train_frames": torch.stack(train)[..., ::2, ::2].clone(),
            "spectrogram_16k": torch.from_numpy(datasets.load_spectrogram(str(test / "000001.wav"))).float()}


def main() -> None:
    clone = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        extract(clone, tmp)
        sys.path.insert(0, str(tmp))
        import datasets
        import model as original

        torch.save(train_mode(original), HERE / "train_mode.pt")
        out = items(datasets, tmp / "data")
        torch.save({"spectrogram": out.pop("spectrogram_16k")}, HERE / "spectrogram_16k.pt")
        torch.save(out, HERE / "items.pt")


if __name__ == "__main__":
    main()
