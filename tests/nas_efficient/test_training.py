import torch

from nas_efficient.configs._common import smoke as smoke_config
from nas_efficient.train import main as train_main
from nas_efficient.train import sampled_arch
from shared import checkpoint as ckpt

smoke = smoke_config()

SMOKE = "nas_efficient/configs/smoke.py"
QUICK = ["--set", "train.schedule.name=constant", "--set", "train.schedule.warmup_steps=0", "--set", "train.ckpt_every=4"]


def final_weights(run_dir) -> dict:
    return ckpt.load_checkpoint(ckpt.latest_checkpoint(run_dir / "checkpoints"))["model"]


def test_supernet_sampling_depends_on_the_update_only_so_resume_is_exact(tmp_path) -> None:
    draws = [sampled_arch(smoke.space, 0, step) for step in range(6)]
    assert draws == [sampled_arch(smoke.space, 0, step) for step in range(6)] and len(set(map(str, draws))) > 1
    train_main(["--config", SMOKE, "--run-dir", str(tmp_path / "straight"), "--set", "train.max_steps=8", *QUICK])
    train_main(["--config", SMOKE, "--run-dir", str(tmp_path / "split"), "--set", "train.max_steps=4", *QUICK])
    train_main(["--config", SMOKE, "--run-dir", str(tmp_path / "split"), "--set", "train.max_steps=8", *QUICK])
    a, b = final_weights(tmp_path / "straight"), final_weights(tmp_path / "split")
    assert all(torch.equal(a[k], b[k]) for k in a)
