"""Pseudo-label generation, richness targets and loss, label denoising, and the training losses."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from avvp_clip import pseudo_labels
from avvp_clip.config import LossConfig
from avvp_clip.losses import training_loss
from avvp_clip.model import HANOutput


def test_generation_thresholds_and_keeps_only_the_video_classes() -> None:
    prob = torch.zeros(1, 10, 25)
    prob[0, :5, 2] = 0.5
    prob[0, 5:, 2] = 0.03
    prob[0, :, 7] = 0.9  # confident, but not in the video label
    label = torch.zeros(1, 25)
    label[0, 2] = 1
    out = pseudo_labels.generate(prob, label, threshold=0.04)
    assert out[0, :, 2].tolist() == [1.0] * 5 + [0.0] * 5
    assert out.sum() == 5


def test_richness_of_a_hand_example() -> None:
    label = torch.zeros(1, 25)
    label[0, [1, 4]] = 1
    pseudo = torch.zeros(1, 10, 25)
    pseudo[0, :3, 1] = 1  # class 1 in 3 segments
    pseudo[0, 2:4, 4] = 1  # class 4 in 2 segments; segment 2 has both
    category, segment = pseudo_labels.richness(pseudo, label)
    assert category[0].tolist() == [0.5, 0.5, 1.0, 0.5] + [0.0] * 6
    assert segment[0, 1].item() == pytest.approx(0.3) and segment[0, 4].item() == pytest.approx(0.2)


def test_richness_loss_is_smallest_at_the_pseudo_labels() -> None:
    label = torch.zeros(2, 25)
    label[:, 3] = 1
    pseudo = torch.zeros(2, 10, 25)
    pseudo[:, 2:6, 3] = 1
    at_target = pseudo_labels.richness_loss(pseudo.clamp(0.01, 0.99), pseudo, label)
    off_target = pseudo_labels.richness_loss(torch.full_like(pseudo, 0.9), pseudo, label)
    assert at_target < off_target
    prob = torch.full_like(pseudo, 0.5, requires_grad=True)
    pseudo_labels.richness_loss(prob, pseudo, label).backward()
    assert prob.grad[:, :, 3].abs().sum() > 0 and prob.grad[:, :, 5].abs().sum() == 0  # class 5 not in the video


def test_denoising_flips_the_largest_losses_within_the_video_classes() -> None:
    label = torch.zeros(1, 25)
    label[0, [0, 1]] = 1
    pseudo = torch.zeros(1, 10, 25)
    pseudo[0, :4, 0] = 1
    visual = torch.full((1, 10, 25), 0.1)
    visual[0, :4, 0] = 0.9
    visual[0, 6, 0] = 0.97  # the model sees class 0 at segment 6: largest loss
    visual[0, 5, 0] = 0.8  # second largest, disagrees too
    visual[0, 9, 1] = 0.3  # disagrees too little (loss < ln 2)
    visual[0, 0, 9] = 0.99  # class outside the video: never flipped
    loss = pseudo_labels.forward_loss(visual, pseudo)
    out = pseudo_labels.denoise(pseudo, loss, label, top_k=1, min_loss=0.6931)
    assert (out != pseudo).nonzero().tolist() == [[0, 6, 0]]
    out2 = pseudo_labels.denoise(pseudo, loss, label, top_k=2, min_loss=0.6931)
    assert (out2 != pseudo).nonzero().tolist() == [[0, 5, 0], [0, 6, 0]]
    assert torch.equal(pseudo_labels.denoise(pseudo, loss, label, top_k=0, min_loss=0.0), pseudo)


def outputs(seed: int = 0) -> HANOutput:
    g = torch.Generator().manual_seed(seed)
    return HANOutput(torch.rand(2, 25, generator=g), torch.rand(2, 25, generator=g), torch.rand(2, 25, generator=g),
                     torch.rand(2, 10, 2, 25, generator=g))


def test_han_loss_is_main_avvp_formula() -> None:
    out = outputs()
    y = (torch.rand(2, 25, generator=torch.Generator().manual_seed(1)) < 0.2).float()
    loss, _ = training_loss(out, {"label": y}, LossConfig())
    expected = (F.binary_cross_entropy(out.global_prob, y) + F.binary_cross_entropy(out.audio_prob, y)
                + F.binary_cross_entropy(out.visual_prob, 0.9 * y + 0.05))
    torch.testing.assert_close(loss, expected)


def test_pseudo_label_terms_follow_their_switches() -> None:
    out = outputs()
    y = torch.zeros(2, 25)
    y[:, 4] = 1
    pseudo = torch.zeros(2, 10, 25)
    pseudo[0, 3:6, 4] = 1  # video 1: class 4 never visible
    batch = {"label": y, "pseudo": pseudo}
    base, _ = training_loss(out, batch, LossConfig())
    seg, logs = training_loss(out, batch, LossConfig(segment_pseudo=True, segment_weight=2.0))
    torch.testing.assert_close(seg, base + 2.0 * F.binary_cross_entropy(out.frame_prob[:, :, 1], pseudo))
    rich, logs = training_loss(out, batch, LossConfig(richness=True))
    assert set(logs) >= {"loss_richness"} and rich > base
    _, logs = training_loss(out, batch, LossConfig(visual_video_from_pseudo=True))
    torch.testing.assert_close(logs["loss_visual"], F.binary_cross_entropy(out.visual_prob, pseudo.amax(1)))
