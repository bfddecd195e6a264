"""AudioScore: its model, TriLip (`Metrics/AudioScore/model/trilip.py`): frozen CLIP ViT-B/32 for the first frame
and the audio sentence, frozen PaSST for the waveform, and three trained FFN "scalers".

The released weights (TriLip.bin: CLIP under `vl_model.`, PaSST under `a_model.`) load with
`load_trilip(path, model)`; CLIP is built with open_clip, whose CLIP module has the same parameter names
as OpenAI's `clip` package. Without those weights, any `vl_model` with `encode_image` / `encode_text`
and any audio encoder with the PaSST interface plug in (the tests use tiny random ones).

Its inputs (`AudioScoreInputs`) are prepared as the original's scoring dataset does; `score_dataset` scores a
set of predictions (the runner is `python -m favd.evaluate --audioscore ...`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from favd.data import AudioArchive, DataError, pad_or_truncate
from favd.metrics import audio_score_from_logits, trilip_logits


class FFN(nn.Module):
    def __init__(self, d_in: int, d_hid: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.w_1 = nn.Linear(d_in, d_hid)
        self.w_2 = nn.Linear(d_hid, d_in)
        self.layer_norm = nn.LayerNorm(d_in, eps=1e-6)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer_norm(self.dropout(self.w_2(F.relu(self.w_1(x)))) + x)


class TriLip(nn.Module):
    def __init__(self, vl_model: nn.Module, audio_model: nn.Module, dim: int = 512, hidden: int = 2048) -> None:
        super().__init__()
        self.vl_model = vl_model
        self.a_model = audio_model
        for p in [*vl_model.parameters(), *audio_model.parameters()]:
            p.requires_grad = False
        self.logit_scale1 = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))
        self.logit_scale2 = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))
        self.vis_scaler = FFN(dim, hidden)
        self.txt_scaler = FFN(dim, hidden)
        self.aud_scaler = FFN(dim, hidden)

    def forward(self, image: torch.Tensor, text: torch.Tensor, audio: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """image (b, 3, 224, 224), text (b, 77) CLIP token ids, audio (b, 1, samples) -> logits (b, b) twice."""
        img = self.vis_scaler(self.vl_model.encode_image(image))
        txt = self.txt_scaler(self.vl_model.encode_text(text))
        aud = self.aud_scaler(self.a_model(audio)).mean(1)  # mean over audio tokens
        return trilip_logits(img, txt, aud, self.logit_scale1, self.logit_scale2)

    @torch.no_grad()
    def score(self, image: torch.Tensor, text: torch.Tensor, audio: torch.Tensor) -> np.ndarray:
        """Per-clip AudioScore (0..100) of each description's audio sentence."""
        logits, _ = self(image, text, audio)
        return audio_score_from_logits(logits)


def load_trilip(path: str, model: TriLip) -> TriLip:
    """Load the released TriLip.bin ({'model': state dict saved under DataParallel, keys prefixed 'module.'})."""
    state = torch.load(path, map_location="cpu", weights_only=False)["model"]
    model.load_state_dict({k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()})
    return model


def build_trilip(audio_settings=None) -> TriLip:
    """TriLip as released: CLIP ViT-B/32 (OpenAI layout, QuickGELU) and the AVLFormer-config PaSST, random weights
    until `load_trilip` loads TriLip.bin."""
    import open_clip

    from favd.config import AudioSettings
    from favd.modules.passt import AudioEncoder, AugmentMelSTFT, PaSST

    a = audio_settings or AudioSettings()
    clip = open_clip.create_model("ViT-B-32-quickgelu", pretrained=None)
    mel = AugmentMelSTFT(a.n_mels, a.sample_rate, a.win_length, a.hopsize, a.n_fft, a.freqm, a.timem,
                         fmin_aug_range=a.fmin_aug_range, fmax_aug_range=a.fmax_aug_range)
    net = PaSST((a.n_mels, a.input_tdim), a.patch_size, a.stride, 1, a.embed_dim, a.depth, a.num_heads,
                s_patchout_t=a.s_patchout_t, s_patchout_f=a.s_patchout_f)
    return TriLip(clip, AudioEncoder(mel, net, 512))


# ----------------------------------------------------------------------------------------------
# inputs, as the original `Metrics/AudioScore/dataset.py` (TriLipDataset, inference mode) prepares them

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
SAMPLE_RATE, SECONDS = 32000, 10
SEED = 2048  # the original's scoring seed (it also drives the random gain)


def clip_preprocess(image_size: int = 224):
    """CLIP's image transform (`clip.load`'s preprocess): bicubic resize of the shorter side, centre crop, RGB,
    CLIP normalisation."""
    from torchvision import transforms

    return transforms.Compose([
        transforms.Resize(image_size, interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.CenterCrop(image_size),
        lambda image: image.convert("RGB"),
        transforms.ToTensor(),
        transforms.Normalize(CLIP_MEAN, CLIP_STD),
    ])


def audio_sentence(description: str) -> str:
    """The sentence AudioScore judges: the text after the last '. ' (the original's `split('. ')[-1]`)."""
    return description.split(". ")[-1]


def clip_tokenize(texts: list[str], context_length: int = 77) -> torch.Tensor:
    """CLIP's BPE ids, truncated to the context with the end token kept (`clip.tokenize(truncate=True)`)."""
    import open_clip

    return open_clip.tokenize(texts, context_length=context_length)


class AudioScoreInputs(torch.utils.data.Dataset):
    """(image, CLIP text ids, waveform, vid) per predicted clip: the first extracted frame, the audio sentence of
    the prediction, and the clip's audio from `<root>/audio_hdf/<split>_mp3.hdf` with the random gain, padded or
    cut to 10 s. Audio is looked up by name (the original indexes the archive by row, which assumes both files
    list the clips in the same order)."""

    def __init__(self, root: str | Path, split: str, predictions: dict[str, str], num_frames: int = 32,
                 seed: int = SEED, transform=None, tokenize=clip_tokenize) -> None:
        self.root = Path(root)
        self.frame_dir = self.root / "frames" / f"{split}-{num_frames}frames"
        self.audio = AudioArchive(self.root / "audio_hdf" / f"{split}_mp3.hdf")
        self.vids = list(predictions)
        self.texts = [audio_sentence(predictions[v]) for v in self.vids]
        self.transform = transform or clip_preprocess()
        self.tokenize = tokenize
        # one gain per clip, drawn in clip order, so the scores do not depend on batching or workers
        generator = torch.Generator().manual_seed(seed)
        self.gains = [torch.randint(14, (1,), generator=generator).item() - 7 for _ in self.vids]

    def __len__(self) -> int:
        return len(self.vids)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, str]:
        vid = self.vids[i]
        path = self.frame_dir / f"{vid}_frame0001.jpg"
        if not path.is_file():
            raise DataError(f"{path}: first frame not found (AudioScore reads <root>/frames/<split>-32frames/"
                            "<vid>_frame0001.jpg)")
        image = self.transform(Image.open(path))
        wave = self.audio.waveform(vid) * 10 ** (self.gains[i] / 20)
        wave = pad_or_truncate(wave.astype(np.float32), SAMPLE_RATE * SECONDS)
        text = self.tokenize([self.texts[i]])[0]
        return image, text, torch.from_numpy(wave).reshape(1, -1), vid


@torch.no_grad()
def score_dataset(model: TriLip, inputs: AudioScoreInputs, batch_size: int = 128, device: str = "cpu"
                  ) -> dict[str, float]:
    """vid -> AudioScore, plus 'mean' (the original's result.csv). The logits are computed within each batch, as
    the original does (only the diagonal is used, so the batch does not change the scores)."""
    model = model.to(device).eval()
    torch.manual_seed(SEED)  # PaSST's structured patchout draws, seeded as the original's scoring script does
    # its own generator: the loader's seed draw must not consume the global stream the model's draws come from
    loader = torch.utils.data.DataLoader(inputs, batch_size=batch_size, generator=torch.Generator())
    out: dict[str, float] = {}
    for image, text, wave, vids in loader:
        autocast = torch.autocast("cuda", dtype=torch.float16, enabled=torch.device(device).type == "cuda")
        with autocast:  # the original scores under CUDA autocast (fp16)
            scores = model.score(image.to(device), text.to(device), wave.to(device))
        out.update({v: float(s) for v, s in zip(vids, scores, strict=True)})
    out["mean"] = float(np.mean([out[v] for v in inputs.vids]))
    return out
