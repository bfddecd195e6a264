"""PaSST (Koutini et al., 2022), the audio encoder of AVLFormer: log-mel spectrogram -> ViT tokens.

Names follow the original `MyPasst` (mel, net, linear) so that its checkpoints load by name.
Waveform (B, 1, samples) at 32 kHz -> tokens (B, 1 + F'*T', 512): the distillation token and the
patch grid after structured patchout (the class token is dropped, as in the original).

Structured patchout (random frequency rows / time columns removed) is applied in eval mode too:
the original applies it whenever s_patchout_t / s_patchout_f are set, which fixes the audio
token count (473 in the paper config: 1 + 8 * 59) that AVLFormer's learned attention mask expects.
"""

from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F
import torchaudio
from torch import nn

from favd.modules.video_swin import DropPath


class AugmentMelSTFT(nn.Module):
    """Pre-emphasis, STFT power, kaldi mel banks (with random fmin/fmax in training), log, fixed normalisation."""

    def __init__(self, n_mels: int = 128, sr: int = 32000, win_length: int = 800, hopsize: int = 320,
                 n_fft: int = 1024, freqm: int = 48, timem: int = 192, fmin: float = 0.0, fmax: float | None = None,
                 fmin_aug_range: int = 10, fmax_aug_range: int = 2000) -> None:
        super().__init__()
        self.n_mels, self.sr, self.n_fft, self.hopsize, self.win_length = n_mels, sr, n_fft, hopsize, win_length
        self.fmin = fmin
        self.fmax = sr // 2 - fmax_aug_range // 2 if fmax is None else fmax
        self.fmin_aug_range, self.fmax_aug_range = fmin_aug_range, fmax_aug_range
        self.register_buffer("window", torch.hann_window(win_length, periodic=False), persistent=False)
        self.register_buffer("preemphasis_coefficient", torch.as_tensor([[[-0.97, 1.0]]]), persistent=False)
        self.freqm = torchaudio.transforms.FrequencyMasking(freqm, iid_masks=True) if freqm else nn.Identity()
        self.timem = torchaudio.transforms.TimeMasking(timem, iid_masks=True) if timem else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (n, samples) -> (n, n_mels, frames)
        x = F.conv1d(x.unsqueeze(1), self.preemphasis_coefficient).squeeze(1)
        x = torch.stft(x, self.n_fft, hop_length=self.hopsize, win_length=self.win_length, center=True,
                       normalized=False, window=self.window, return_complex=True)
        x = x.real**2 + x.imag**2
        # drawn in eval mode too (then discarded), so the random stream matches the original's
        fmin = self.fmin + torch.randint(self.fmin_aug_range, (1,)).item()
        fmax = self.fmax + self.fmax_aug_range // 2 - torch.randint(self.fmax_aug_range, (1,)).item()
        if not self.training:
            fmin, fmax = self.fmin, self.fmax
        banks, _ = torchaudio.compliance.kaldi.get_mel_banks(self.n_mels, self.n_fft, self.sr, fmin, fmax,
                                                             vtln_low=100.0, vtln_high=-500.0, vtln_warp_factor=1.0)
        banks = F.pad(banks, (0, 1)).to(x.device)
        # fp32 under autocast (autocast has no meta-device mode, so there it is skipped)
        no_autocast = (torch.autocast(x.device.type, enabled=False) if x.device.type in ("cpu", "cuda")
                       else contextlib.nullcontext())
        with no_autocast:
            mel = (banks @ x.float() + 1e-5).log()
        if self.training:
            mel = self.timem(self.freqm(mel))
        return (mel + 4.5) / 5.0


class Attention(nn.Module):
    def __init__(self, dim: int, num_heads: int, qkv_bias: bool = True, attn_drop: float = 0.0,
                 proj_drop: float = 0.0) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.attn_drop = nn.Dropout(attn_drop)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v, dropout_p=self.attn_drop.p if self.training else 0.0)
        return self.proj_drop(self.proj(out.transpose(1, 2).reshape(b, n, c)))


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int, drop: float = 0.0) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)
        self.drop = nn.Dropout(drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


class Block(nn.Module):
    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0, drop: float = 0.0, attn_drop: float = 0.0,
                 drop_path: float = 0.0) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, num_heads, True, attn_drop, drop)
        self.drop_path = DropPath(drop_path)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.drop_path(self.attn(self.norm1(x)))
        return x + self.drop_path(self.mlp(self.norm2(x)))


class PatchEmbed(nn.Module):
    def __init__(self, img_size: tuple[int, int], patch_size: int, stride: int, in_chans: int, embed_dim: int) -> None:
        super().__init__()
        self.grid_size = (img_size[0] // stride, img_size[1] // stride)
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=stride)
        self.norm = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.proj(x))  # b, e, f, t


class PaSST(nn.Module):
    """The distilled ViT with frequency/time positional encodings and structured patchout."""

    def __init__(self, img_size: tuple[int, int] = (128, 998), patch_size: int = 16, stride: int = 10,
                 in_chans: int = 1, embed_dim: int = 768, depth: int = 12, num_heads: int = 12,
                 mlp_ratio: float = 4.0, s_patchout_t: int = 40, s_patchout_f: int = 4, u_patchout: int = 0,
                 drop_rate: float = 0.0, attn_drop_rate: float = 0.0, drop_path_rate: float = 0.0) -> None:
        super().__init__()
        self.s_patchout_t, self.s_patchout_f, self.u_patchout = s_patchout_t, s_patchout_f, u_patchout
        self.patch_embed = PatchEmbed(img_size, patch_size, stride, in_chans, embed_dim)
        gf, gt = self.patch_embed.grid_size
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.dist_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.new_pos_embed = nn.Parameter(torch.zeros(1, 2, embed_dim))
        self.freq_new_pos_embed = nn.Parameter(torch.zeros(1, embed_dim, gf, 1))
        self.time_new_pos_embed = nn.Parameter(torch.zeros(1, embed_dim, 1, gt))
        self.pos_drop = nn.Dropout(drop_rate)
        dpr = [drop_path_rate * i / max(depth - 1, 1) for i in range(depth)]
        self.blocks = nn.Sequential(*[Block(embed_dim, num_heads, mlp_ratio, drop_rate, attn_drop_rate, dpr[i])
                                      for i in range(depth)])
        self.norm = nn.LayerNorm(embed_dim, eps=1e-6)
        # the classifier heads of the AudioSet model (identity for n_classes=0, LayerNorm kept as in the original)
        self.head = nn.Sequential(nn.LayerNorm(embed_dim), nn.Identity())
        self.head_dist = nn.Identity()
        for p in (self.new_pos_embed, self.freq_new_pos_embed, self.time_new_pos_embed, self.dist_token,
                  self.cls_token):
            nn.init.trunc_normal_(p, std=0.02)
        self.apply(_init_vit)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (b, 1, mels, frames) -> (b, 1 + f*t, e)
        x = self.patch_embed(x)
        b, _, f_dim, t_dim = x.shape
        time_pos = self.time_new_pos_embed
        if t_dim < time_pos.shape[-1]:
            if self.training:
                offset = torch.randint(1 + time_pos.shape[-1] - t_dim, (1,)).item()
                time_pos = time_pos[..., offset:offset + t_dim]
            else:
                time_pos = time_pos[..., :t_dim]
        else:
            x = x[..., : time_pos.shape[-1]]
        x = x + time_pos + self.freq_new_pos_embed
        if self.s_patchout_t:
            keep = torch.randperm(t_dim)[: t_dim - self.s_patchout_t].sort().values
            x = x[..., keep]
        if self.s_patchout_f:
            keep = torch.randperm(f_dim)[: f_dim - self.s_patchout_f].sort().values
            x = x[:, :, keep, :]
        x = x.flatten(2).transpose(1, 2)  # b, f*t, e
        if self.training and self.u_patchout:
            n = x.shape[1]
            x = x[:, torch.randperm(n)[: n - self.u_patchout].sort().values]
        cls = self.cls_token.expand(b, -1, -1) + self.new_pos_embed[:, :1]
        dist = self.dist_token.expand(b, -1, -1) + self.new_pos_embed[:, 1:]
        x = self.blocks(self.pos_drop(torch.cat([cls, dist, x], dim=1)))
        return self.norm(x)[:, 1:]


def _init_vit(m: nn.Module) -> None:
    if isinstance(m, nn.Linear):
        nn.init.trunc_normal_(m.weight, std=0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)


class AudioEncoder(nn.Module):
    """`MyPasst`: mel spectrogram, PaSST, and a linear map 768 -> 512 per token."""

    def __init__(self, mel: AugmentMelSTFT, net: PaSST, out_dim: int = 512) -> None:
        super().__init__()
        self.mel = mel
        self.net = net
        self.linear = nn.Linear(net.norm.normalized_shape[0], out_dim)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:  # (b, c, samples) -> (b, tokens, out_dim)
        b, c, n = wave.shape
        spec = self.mel(wave.reshape(-1, n))
        spec = spec.reshape(b, c, spec.shape[1], spec.shape[2])
        return self.linear(self.net(spec))
