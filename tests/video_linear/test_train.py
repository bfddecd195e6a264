"""Training pieces: MixUp as the original's MixUper."""

import numpy as np
import torch


def test_mixup_mixes_clips_and_keeps_both_labels():
    from video_linear.train import mixup

    np.random.seed(0)
    torch.manual_seed(0)
    clips, labels = torch.arange(4.0).view(4, 1), torch.tensor([0, 1, 2, 3])
    mixed, a, b, lam = mixup(clips, labels, 0.4)
    assert 0 <= lam <= 1 and torch.equal(a, labels)
    torch.testing.assert_close(mixed[:, 0], lam * clips[:, 0] + (1 - lam) * b.float())


def test_full_profile_without_data_names_the_prepare_command(tmp_path, monkeypatch, capsys):
    from video_linear.reproduce import main

    monkeypatch.chdir(tmp_path)  # the K400 config reads data/kinetics400, absent here
    assert main(["--profile", "full", "--out", str(tmp_path / "out")]) == 2
    assert "python -m video_linear.prepare --dataset kinetics400" in capsys.readouterr().err
