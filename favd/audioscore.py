"""AudioScore's model, TriLip (`Metrics/AudioScore/model/trilip.py`): frozen CLIP ViT-B/32 for the first frame
and the audio sentence, frozen PaSST for the waveform, and three trained FFN "scalers".

The released weights (TriLip.bin: CLIP under `vl_model.`, PaSST under `a_model.`) load with
`load_trilip(path, model)`; CLIP is built with open_clip, whose CLIP module has the same parameter names
as OpenAI's `clip` package. Without those weights, any `vl_model` with `encode_image` / `encode_text`
and any audio encoder with the PaSST interface plug in (the tests use tiny random ones).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

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

    from favd.model import AudioSettings
    from favd.modules.passt import AudioEncoder, AugmentMelSTFT, PaSST

    a = audio_settings or AudioSettings()
    clip = open_clip.create_model("ViT-B-32-quickgelu", pretrained=None)
    mel = AugmentMelSTFT(a.n_mels, a.sample_rate, a.win_length, a.hopsize, a.n_fft, a.freqm, a.timem,
                         fmin_aug_range=a.fmin_aug_range, fmax_aug_range=a.fmax_aug_range)
    net = PaSST((a.n_mels, a.input_tdim), a.patch_size, a.stride, 1, a.embed_dim, a.depth, a.num_heads,
                s_patchout_t=a.s_patchout_t, s_patchout_f=a.s_patchout_f)
    return TriLip(clip, AudioEncoder(mel, net, 512))
