"""Training pieces: MixUp as the original's MixUper; the full profile without data."""

from pathlib import Path

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


def test_full_profile_without_data_names_the_prepare_command(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-m", "video_linear.reproduce", "--profile", "full", "--out",
                           str(tmp_path / "out"), "--data-root", str(tmp_path / "none")],
                          cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert f"python -m video_linear.prepare --dataset kinetics400 --root {tmp_path / 'none' / 'kinetics400'}" in proc.stderr
