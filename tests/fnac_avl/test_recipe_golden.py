"""The training and test inputs and the optimizer against the original (golden/make_golden.py): the test frame
(bicubic resize to 224), the spectrogram divided by 12 at 16 kHz (200 frames), the training crop from a 1.1x
resize, the spectrogram masks of training, and Adam's L2 weight decay of 1e-4."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

from fnac_avl import data
from fnac_avl.audio import load_spectrogram
from fnac_avl.configs._common import paper_config
from fnac_avl.data import AudioVisualDataset, Clip
from shared.optim import build_optimizer
from shared.testing import GoldenFiles, assert_close_to_golden

GOLDEN = GoldenFiles(Path(__file__).parent / "golden")
_spec = importlib.util.spec_from_file_location("fnac_make_golden", GOLDEN.folder / "make_golden.py")
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)


@pytest.fixture(scope="module")
def flickr(tmp_path_factory) -> Path:
    """The golden's Flickr-layout test clip (a 300 x 200 JPG and 4.1 s of 16 kHz audio), written again."""
    root = tmp_path_factory.mktemp("flickr")
    (root / "Annotations").mkdir()
    make_golden.write_jpg(root / "000001.jpg")
    make_golden.write_wav(root / "000001.wav", 4.1, 16000)
    (root / "Annotations" / "000001.xml").write_text(
        "<annotation><bbs><bbox><a>0</a><x>10</x><y>20</y><x>100</x><y>120</y></bbox></bbs></annotation>")
    (root / "flickr_test.csv").write_text("000001,0\n")
    return root


def test_16khz_spectrogram_has_200_frames_and_matches_original(flickr):
    ours = load_spectrogram(flickr / "000001.wav")
    golden = GOLDEN["spectrogram_16k.pt"]["spectrogram"]
    assert ours.shape == golden.shape == (257, 200)
    assert_close_to_golden(torch.from_numpy(ours).float(), golden, rel_tol=1e-5, name="16 kHz spectrogram")


def test_test_item_matches_original(flickr):
    ds = AudioVisualDataset(data.test_clips("flickr", flickr, flickr / "flickr_test.csv", flickr / "Annotations"), train=False)
    item = ds[0]
    g = GOLDEN["items.pt"]
    assert_close_to_golden(item["image"][..., ::2, ::2], g["test_frame"], rel_tol=1e-5, name="test frame (bicubic)")
    assert_close_to_golden(item["spec"], g["test_spec"], rel_tol=1e-5, name="test spectrogram / 12")


def test_training_crop_matches_original_for_the_same_seed(flickr):
    ds = AudioVisualDataset([Clip("000001", flickr / "000001.jpg", flickr / "000001.wav")], train=True)
    golden = GOLDEN["items.pt"]["train_frames"]
    for seed in (0, 1):
        torch.manual_seed(seed)
        frame = ds[0]["image"]  # the image transform draws its crop and flip first, as the original's
        assert_close_to_golden(frame[..., ::2, ::2], golden[seed], rel_tol=1e-5, name=f"training crop, seed {seed}")


def test_training_spectrograms_are_masked_and_test_ones_are_not(flickr):
    clip = Clip("000001", flickr / "000001.jpg", flickr / "000001.wav")
    clean = torch.from_numpy(load_spectrogram(clip.audio)).float()[None] / 12
    train = AudioVisualDataset([clip], train=True)
    torch.manual_seed(0)
    masked = [train[0]["spec"] for _ in range(8)]
    zeros = [int(((m == 0) & (clean != 0)).sum()) for m in masked]
    assert sum(z > 0 for z in zeros) >= 6, zeros  # mask widths are drawn from range(10): zero width is rare
    for m in masked:  # outside its masks a training spectrogram is the clean one
        keep = m != 0
        torch.testing.assert_close(m[keep], clean[keep])
    assert torch.equal(AudioVisualDataset([clip], train=False)[0]["spec"], clean)
    assert isinstance(train.augment, data.SpecAugment) and train.augment.max_width == 10


def test_adam_with_the_originals_l2_weight_decay():
    """utils.build_optimizer_and_scheduler_adam: torch Adam(lr 1e-4, weight_decay 1e-4) on every parameter; a
    parameter without gradient still moves by its decay term."""
    cfg = paper_config("flickr_10k", "flickr").train.optim
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    reference = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    reference.load_state_dict(model.state_dict())
    ours, theirs = build_optimizer(model, cfg), torch.optim.Adam(reference.parameters(), lr=1e-4, weight_decay=1e-4)
    for net, opt in ((model, ours), (reference, theirs)):
        for p in net.parameters():
            p.grad = torch.zeros_like(p)
        opt.step()
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-9, msg=name)
    assert not torch.equal(model[1].weight, torch.ones(2))  # the decay moved the BatchNorm scale
