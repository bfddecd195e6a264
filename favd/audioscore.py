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
