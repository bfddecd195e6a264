"""A paper config's code path end to end on a DTD fixture: augmentation, loaders, both stages, the run folder."""

from __future__ import annotations

from pathlib import Path

import torch

from multituning.train import run
from shared import checkpoint as ckpt
from shared.config import apply_overrides, load_config
from tests.multituning import fixtures

CONFIG = Path(__file__).parents[2] / "multituning" / "configs" / "dtd.py"


def test_two_stage_schedule_on_the_paper_code_path(tmp_path: Path) -> None:
    fixtures.write_dtd(tmp_path / "data")
    cfg = apply_overrides(load_config(CONFIG), [
        f"data.data_root={tmp_path / 'data'}", "data.image_size=16", "data.resize_size=18", "data.num_workers=0",
        "members.backbone.layers=(1, 1, 1, 1)", "members.backbone.channels=(4, 8, 8, 8)",
        "members.backbone.stem_width=4", "members.backbone.pretrained_file=",
        "finetune.max_steps=3", "finetune.batch_size=4", "finetune.num_workers=0", "finetune.progress=false",
        "policy.train.max_steps=3", "policy.train.batch_size=3", "policy.train.num_workers=0",
        "policy.train.progress=false", "policy.input_size=0", "policy.stem_width=4", "policy.widths=(8,)",
    ])
    results = run(cfg, tmp_path / "run", resume=False)
    # held-out policy data (the default): members on train1, the policy on val1, which the members never saw
    assert results["num_train"] == 6 and results["num_policy_train"] == 3 and results["num_test"] == 6
    assert results["policy_data"] == "heldout" and results["schedule"] == "two_stage"
    assert len(results["design_guesses"]) >= 8
    assert results["ours"] == results["amf_accuracy"] and "standard_finetune" in results
    weights = sum(results[f"mean_weight_{n}"] for n in ("standard", "freeze_low", "l2sp"))
    assert abs(weights - 1.0) < 1e-5
    # stage 2 leaves every member exactly as stage 1 left it, and trains the policy
    policy_state = ckpt.load_checkpoint(ckpt.latest_checkpoint(tmp_path / "run" / "policy" / "checkpoints"))["model"]
    for k, name in enumerate(("standard", "freeze_low", "l2sp")):
        path = ckpt.latest_checkpoint(tmp_path / "run" / f"finetune_{name}" / "checkpoints")
        member_state = ckpt.load_checkpoint(path)["model"]
        assert ckpt.list_checkpoints(path.parent)[-1][0] == 3
        for key, value in member_state.items():
            torch.testing.assert_close(policy_state[f"members.{k}.{key}"], value, rtol=0, atol=0)
    assert (tmp_path / "run" / "results.json").is_file()
    # a finished run resumes to the same numbers without training again
    again = run(cfg, tmp_path / "run", resume=True)
    assert again["ours"] == results["ours"] and again["standard_finetune"] == results["standard_finetune"]


def test_joint_schedule_trains_members_and_policy_together(tmp_path: Path) -> None:
    fixtures.write_dtd(tmp_path / "data")
    cfg = apply_overrides(load_config(CONFIG), [
        f"data.data_root={tmp_path / 'data'}", "data.image_size=16", "data.resize_size=18", "data.num_workers=0",
        "members.backbone.layers=(1, 1, 1, 1)", "members.backbone.channels=(4, 8, 8, 8)",
        "members.backbone.stem_width=4", "members.backbone.pretrained_file=", "schedule=joint",
        "finetune.max_steps=3", "finetune.batch_size=4", "finetune.num_workers=0", "finetune.progress=false",
        "policy.input_size=0", "policy.stem_width=4", "policy.widths=(8,)",
    ])
    results = run(cfg, tmp_path / "run", resume=False)
    assert results["schedule"] == "joint" and results["num_train"] == 9  # SpotTune's way: train1 + val1 for all
    assert not (tmp_path / "run" / "policy").exists() and (tmp_path / "run" / "joint").is_dir()
    first = ckpt.load_checkpoint(ckpt.latest_checkpoint(tmp_path / "run" / "joint" / "checkpoints"))
    # the optimizer holds every member's groups and the policy's own (lr 0.01, weight decay 1e-3)
    groups = first["optimizer"]["param_groups"]
    assert groups[-1]["weight_decay"] == 0.001 and len(groups) == 3 * 2 + 1  # head + backbone per member
