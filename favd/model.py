"""AVLFormer: Video Swin (frames) + PaSST (waveform) -> BERT multimodal transformer -> paragraph.

    frames (B, S, 3, H, W) --VideoSwin--> (B, S/2 * H/32 * W/32, 1024) --fc--> (B, Nv, 512) ┐
    wave (B, 1, samples)   --PaSST-----> (B, Na, 512) --RMS norm-----------------------------┴ concat (B, Nv+Na, 512)
    [CLS] w1 .. wn [SEP] + video/audio tokens --BERT (seq2seq mask + learned video attention)--> word logits

Training: lambda * autoregressive LM loss + (1 - lambda) * masked LM loss (+ sparsity of the learned mask).
Inference: greedy paragraph decoding with a [MASK] query token, as the original `generate` (num_beams=1).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
import torch.utils.checkpoint
from torch import nn

from favd.config import FAVDConfig, ModelConfig
from favd.modules.bert import BertForCaptioning
from favd.modules.passt import AudioEncoder, AugmentMelSTFT, PaSST
from favd.modules.video_swin import SwinTransformer3D


class SimpleRMSNorm(nn.Module):
    def __init__(self, d: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.d, self.eps = d, eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x / (x.norm(2, dim=-1, keepdim=True) * self.d**-0.5 + self.eps)


class VideoSwinWrapper(nn.Module):
    """Holds the backbone under `.backbone`, as the original's checkpoints do. With `checkpoint` (the original's
    `use_checkpoint`, on in its FAVD config) the backbone's activations are recomputed in the backward pass
    instead of kept (the original wraps it in fairscale's checkpoint_wrapper); the outputs are the same."""

    def __init__(self, backbone: SwinTransformer3D, checkpoint: bool = False) -> None:
        super().__init__()
        self.backbone = backbone
        self.checkpoint = checkpoint

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.checkpoint and self.training and torch.is_grad_enabled():
            return torch.utils.checkpoint.checkpoint(self.backbone, x, use_reentrant=False)
        return self.backbone(x)


class AVLFormer(nn.Module):
    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.cfg = cfg
        s, a = cfg.swin, cfg.audio
        self.swin = VideoSwinWrapper(SwinTransformer3D(s.patch_size, 3, s.embed_dim, s.depths, s.num_heads,
                                                       s.window_size, drop_path_rate=s.drop_path_rate),
                                     checkpoint=cfg.activation_checkpoint)
        self.trans_encoder = BertForCaptioning(cfg.bert)
        self.fc = nn.Linear(self.swin.backbone.num_features, cfg.img_feature_dim)
        self.passt = None
        if cfg.use_audio:
            mel = AugmentMelSTFT(a.n_mels, a.sample_rate, a.win_length, a.hopsize, a.n_fft, a.freqm, a.timem,
                                 fmin_aug_range=a.fmin_aug_range, fmax_aug_range=a.fmax_aug_range)
            net = PaSST((a.n_mels, a.input_tdim), a.patch_size, a.stride, 1, a.embed_dim, a.depth, a.num_heads,
                        s_patchout_t=a.s_patchout_t, s_patchout_f=a.s_patchout_f)
            self.passt = AudioEncoder(mel, net, cfg.img_feature_dim)
        self.norm = SimpleRMSNorm(cfg.img_feature_dim)
        if cfg.learn_mask_enabled:
            self.learn_vid_att = nn.Embedding(cfg.max_img_seq_length**2, 1)
        # parts the original builds and checkpoints but never uses: frozen, so DDP sees no parameter without a
        # gradient (the original's optimizer skips them too, their gradients being None)
        unused = [self.trans_encoder.cls_img_feat, self.trans_encoder.bert.pooler]
        if self.passt is not None:
            unused.append(self.passt.net.head)
        for module in unused:
            module.requires_grad_(False)

    # ------------------------------------------------------------------------------------------
    # encoders

    def encode_media(self, frames: torch.Tensor, audio: torch.Tensor) -> torch.Tensor:
        """frames (b, s, 3, h, w), audio (b, 1, samples) -> (b, Nv + Na, img_feature_dim)."""
        b = frames.shape[0]
        vid = self.swin(frames.permute(0, 2, 1, 3, 4))  # b, c, d, h, w
        vid = self.fc(vid.permute(0, 2, 3, 4, 1).reshape(b, -1, vid.shape[1]))
        if self.passt is None:
            return vid
        return torch.cat([vid, self.norm(self.passt(audio))], dim=1)

    def learned_attention(self) -> torch.Tensor:
        """The soft attention among media tokens: 1 on the diagonal, sigmoid(w) elsewhere: (m, m)."""
        m = self.cfg.max_img_seq_length
        att = torch.sigmoid(self.learn_vid_att.weight.reshape(m, m))
        eye = torch.eye(m, device=att.device, dtype=att.dtype)
        return eye + (1.0 - eye) * att

    def apply_learned_attention(self, attention_mask: torch.Tensor) -> torch.Tensor:
        if not self.cfg.learn_mask_enabled:
            return attention_mask
        m = self.cfg.max_img_seq_length
        learned = self.learned_attention()
        if self.cfg.sparse_mask_soft2hard:
            learned = (learned >= 0.5).to(learned.dtype).detach()
        mask = attention_mask.to(learned.dtype).clone()
        mask[:, -m:, -m:] = learned
        return mask

    def sparsity_loss(self) -> torch.Tensor:
        m = self.cfg.max_img_seq_length
        att = torch.sigmoid(self.learn_vid_att.weight.reshape(m, m))
        eye = torch.eye(m, device=att.device, dtype=att.dtype)
        return ((1.0 - eye) * att).abs().mean()

    # ------------------------------------------------------------------------------------------
    # training

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, frames: torch.Tensor,
                audio: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Word logits at every text position: (b, n, vocab)."""
        media = self.encode_media(frames, audio)
        return self.trans_encoder(input_ids, media, self.apply_learned_attention(attention_mask), token_type_ids)

    def compute_loss(self, logits: torch.Tensor, batch: dict) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The original's training objective from the logits of `forward` on a batch of
        `favd.tensorize.CaptionTensorizer` items (kept apart from forward so DDP wraps only forward)."""
        eps = self.cfg.label_smoothing
        # autoregressive: the logit at position i predicts `output_token_ids[i]`, token i + 1 of the text as the
        # tensorizer's `lm_targets` reads it (default: the masked list, as the original); [PAD] (id 0) ignored
        lm_loss = F.cross_entropy(logits.float().transpose(1, 2), batch["output_token_ids"], ignore_index=0,
                                  label_smoothing=eps)
        # masked LM: KL to a smoothed one-hot at the masked positions. The original selects the masked rows
        # (`logits[masked_pos == 1]`, targets `masked_ids[masked_ids != -1]`, in the same order); here every position
        # is scored and weighted by masked_pos (no data-dependent shapes), the k-th masked position of a row taking
        # the row's k-th target
        masked = batch["masked_pos"] == 1
        rank = (masked.long().cumsum(1) - 1).clamp(min=0, max=batch["masked_ids"].shape[1] - 1)
        targets = batch["masked_ids"].gather(1, rank).clamp(min=0)  # (b, n); unmasked positions are weighted 0
        mask_loss = _smoothed_kl(logits.float(), targets, eps)
        weight = masked.to(mask_loss.dtype)
        mask_loss = (mask_loss * weight).sum() / weight.sum()
        loss = self.cfg.lambda_ * lm_loss + (1 - self.cfg.lambda_) * mask_loss
        logs = {"lm_loss": lm_loss.detach(), "mask_loss": mask_loss.detach()}
        if self.cfg.learn_mask_enabled:
            sparsity = self.sparsity_loss()
            loss = loss + self.cfg.loss_sparse_w * sparsity
            logs["loss_sparsity"] = sparsity.detach()
        return loss, logs

    def loss(self, batch: dict) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        logits = self(batch["input_ids"], batch["attention_mask"], batch["frames"], batch["audio"],
                      batch["token_type_ids"])
        return self.compute_loss(logits, batch)

    # ------------------------------------------------------------------------------------------
    # generation

    @torch.no_grad()
    def generate(self, frames: torch.Tensor, audio: torch.Tensor, attention_mask: torch.Tensor, max_length: int,
                 bos_token_id: int, eos_token_id: int, pad_token_id: int, mask_token_id: int,
                 token_type_ids: torch.Tensor | None = None, num_beams: int = 1, length_penalty: float = 1.0,
                 cache_media: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
        """Greedy decoding (num_beams=1, the original's default) or beam search, as the original `generate`.

        attention_mask: (b, max_length + m, max_length + m) from the test-time tensorizer. At each step the input
        is [generated tokens, MASK]; the rows/cols of the text positions not yet reached are removed, and the
        logit at the MASK position picks the next token.
        Returns ids (b, max_length) padded with pad_token_id, and per sequence the mean log-probability (greedy)
        or the beam score, sum of log-probabilities / length**length_penalty (beam search).

        cache_media: media tokens attend only to media (the seq2seq mask), so their keys/values in every layer are
        computed once instead of at every step as the original does; each step then costs O(n (n + m)) rather
        than O((n + m)^2). Falls back to full recomputation if the mask lets media see text.
        """
        media = self.encode_media(frames, audio)
        full_mask = self.apply_learned_attention(attention_mask)
        b = media.shape[0]
        if token_type_ids is None:
            token_type_ids = torch.zeros(b, max_length, dtype=torch.long, device=media.device)
        if num_beams > 1:  # every beam of a clip shares its media (the original's _expand_for_beams)
            media, full_mask, token_type_ids = (x.repeat_interleave(num_beams, 0)
                                                for x in (media, full_mask, token_type_ids))
        next_logits = self._next_token_logits(media, full_mask, token_type_ids, max_length, mask_token_id, cache_media)
        start = torch.full((media.shape[0], 1), bos_token_id, dtype=torch.long, device=media.device)
        if num_beams == 1:
            return _greedy(next_logits, start, max_length, eos_token_id, pad_token_id)
        return _beam_search(next_logits, start, b, num_beams, max_length, eos_token_id, pad_token_id, length_penalty)

    def _next_token_logits(self, media: torch.Tensor, full_mask: torch.Tensor, token_type_ids: torch.Tensor,
                           max_length: int, mask_token_id: int, cache_media: bool):
        """A function: generated ids (rows, t) -> logits (rows, vocab) of token t, read at an appended [MASK]."""
        bert, head = self.trans_encoder.bert, self.trans_encoder.cls.predictions
        device = media.device
        media_sees_text = bool(full_mask[:, max_length:, :max_length].any())
        cache = None
        if cache_media and not media_sees_text:
            cache = bert.media_cache(media, full_mask[:, max_length:, max_length:])
        position_ids = torch.arange(max_length, device=device).expand(media.shape[0], -1)

        def next_logits(ids: torch.Tensor) -> torch.Tensor:
            rows, cur_len = ids.shape
            inp = torch.cat([ids, torch.full((rows, 1), mask_token_id, dtype=torch.long, device=device)], dim=1)
            n = cur_len + 1
            keep = torch.cat([torch.arange(n, device=device), torch.arange(max_length, full_mask.shape[1], device=device)])
            if cache is not None:
                hidden = bert.forward_text(inp, cache, full_mask[:, :n][:, :, keep], token_type_ids[:, :n],
                                           position_ids[:, :n])
                return head(hidden[:, cur_len])
            mask = full_mask[:, keep][:, :, keep]
            return self.trans_encoder(inp, media, mask, token_type_ids[:, :n], position_ids[:, :n])[:, cur_len]

        return next_logits


def _smoothed_kl(logits: torch.Tensor, targets: torch.Tensor, eps: float) -> torch.Tensor:
    """KL(t || softmax(logits)) per position for t = (1 - eps) on the target and eps / (V - 1) elsewhere
    (`kl_div(log_softmax, t).sum(-1)` without building t)."""
    logp = logits.log_softmax(-1)
    vocab = logits.shape[-1]
    on, off = 1.0 - eps, eps / (vocab - 1)
    target_logp = logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    entropy = (on * math.log(on) if on > 0 else 0.0) + ((vocab - 1) * off * math.log(off) if off > 0 else 0.0)
    return entropy - on * target_logp - off * (logp.sum(-1) - target_logp)


def _greedy(next_logits, ids: torch.Tensor, max_length: int, eos_token_id: int, pad_token_id: int
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """The original's `_generate_no_beam_search` without sampling."""
    b = ids.shape[0]
    unfinished = torch.ones(b, dtype=torch.long, device=ids.device)
    logprobs, alive = [], []
    cur_len = 1
    while cur_len < max_length:
        logits = next_logits(ids)
        next_token = logits.argmax(-1)
        logprobs.append(logits.log_softmax(-1).gather(-1, next_token[:, None]))
        alive.append(unfinished)
        add = next_token * unfinished + pad_token_id * (1 - unfinished)
        ids = torch.cat([ids, add[:, None]], dim=1)
        unfinished = unfinished * add.ne(eos_token_id).long()
        cur_len += 1
        if unfinished.max() == 0:
            break
    if cur_len == max_length:
        ids[:, -1].masked_fill_(unfinished.bool(), eos_token_id)
    lp = torch.cat(logprobs, dim=1)
    alive_f = torch.stack(alive, dim=1).float()
    mean_lp = (lp * alive_f).sum(1) / alive_f.sum(1)
    if ids.shape[1] < max_length:
        ids = torch.cat([ids, ids.new_full((b, max_length - ids.shape[1]), pad_token_id)], dim=1)
    return ids, mean_lp


class _Hypotheses:
    """The n-best finished sequences of one clip (the original's BeamHypotheses, early_stopping=False)."""

    def __init__(self, n: int, max_length: int, length_penalty: float) -> None:
        self.n, self.max_length, self.length_penalty = n, max_length - 1, length_penalty
        self.hyp: list[tuple[float, torch.Tensor]] = []
        self.worst = 1e9

    def add(self, hyp: torch.Tensor, sum_logprobs: float) -> None:
        score = sum_logprobs / len(hyp) ** self.length_penalty
        if len(self.hyp) < self.n or score > self.worst:
            self.hyp.append((score, hyp))
            if len(self.hyp) > self.n:
                ranked = sorted((s, i) for i, (s, _) in enumerate(self.hyp))
                del self.hyp[ranked[0][1]]
                self.worst = ranked[1][0]
            else:
                self.worst = min(score, self.worst)

    def is_done(self, best_sum_logprobs: float) -> bool:
        return len(self.hyp) >= self.n and self.worst >= best_sum_logprobs / self.max_length**self.length_penalty


def _beam_search(next_logits, ids: torch.Tensor, batch: int, k: int, max_length: int, eos_token_id: int,
                 pad_token_id: int, length_penalty: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The original's `_generate_beam_search` without sampling, keeping the best hypothesis (num_keep_best=1)."""
    hyps = [_Hypotheses(1, max_length, length_penalty) for _ in range(batch)]
    beam_scores = torch.zeros(batch, k, device=ids.device)
    beam_scores[:, 1:] = -1e9  # all beams start identical: expand only the first
    beam_scores = beam_scores.view(-1)
    done = [False] * batch
    cur_len = 1
    while cur_len < max_length:
        scores = next_logits(ids).log_softmax(-1)  # (batch * k, vocab)
        vocab = scores.shape[-1]
        scores = (scores + beam_scores[:, None]).view(batch, k * vocab)
        next_scores, next_words = torch.topk(scores, 2 * k, dim=1, largest=True, sorted=True)
        chosen: list[tuple[float, int, int]] = []
        for ex in range(batch):
            done[ex] = done[ex] or hyps[ex].is_done(next_scores[ex].max().item())
            if done[ex]:
                chosen.extend([(0, pad_token_id, 0)] * k)
                continue
            beam: list[tuple[float, int, int]] = []
            for idx, score in zip(next_words[ex].tolist(), next_scores[ex].tolist(), strict=True):
                beam_id, word = idx // vocab, idx % vocab
                if word == eos_token_id or cur_len + 1 == max_length:
                    hyps[ex].add(ids[ex * k + beam_id, :cur_len].clone(), score)
                else:
                    beam.append((score, word, ex * k + beam_id))
                if len(beam) == k:
                    break
            chosen.extend(beam or [(0, pad_token_id, 0)] * k)
        beam_scores = beam_scores.new_tensor([c[0] for c in chosen])
        words = ids.new_tensor([c[1] for c in chosen])
        ids = torch.cat([ids[ids.new_tensor([c[2] for c in chosen])], words[:, None]], dim=1)
        cur_len += 1
        if all(done):
            break
    decoded = ids.new_full((batch, max_length), pad_token_id)
    logprob = torch.full((batch,), -1e5, device=ids.device)
    for ex, h in enumerate(hyps):
        score, best = max(h.hyp, key=lambda x: x[0])
        decoded[ex, : len(best)] = best
        decoded[ex, len(best)] = eos_token_id
        logprob[ex] = score
    return decoded, logprob


def build_model(cfg: FAVDConfig) -> AVLFormer:
    """The architecture of an experiment config (random weights; favd.convert.load_pretrained loads the released
    parts), with the parts the config freezes frozen."""
    model = AVLFormer(cfg.model)
    for flag, module in ((cfg.freeze_backbone, model.swin), (cfg.freeze_passt, model.passt)):
        if flag and module is not None:
            module.requires_grad_(False)
    return model


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
