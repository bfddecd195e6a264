"""The dryrun entry on a shrunk setting (32 px images, one dataset): the full path's wiring stays covered."""

from __future__ import annotations

import io
from pathlib import Path

import torch

from multituning.dryrun import dryrun, write_torchvision_resnet50
from multituning.members import BackboneConfig, build_backbone, load_pretrained
from shared.reproduce import Run, prepare_out


def test_random_weights_have_torchvisions_resnet50_layout_and_load_through_the_converter(tmp_path: Path) -> None:
    from torchvision.models import resnet50

    path = write_torchvision_resnet50(tmp_path / "resnet50-0676ba61.pth")
    state = torch.load(path, map_location="cpu", weights_only=True)
    reference = {k: v.shape for k, v in resnet50().state_dict().items() if not k.endswith("num_batches_tracked")}
    assert {k: v.shape for k, v in state.items()} == reference and len(state) == 267  # 53 BatchNorms, no num_batches_tracked
    model = build_backbone(BackboneConfig(arch="resnet50"), 10)
    load_pretrained(model, path)
    torch.testing.assert_close(model.conv1.weight, state["conv1.weight"])


def test_dryrun_entry_runs_the_training_command_and_reports_a_row(tmp_path: Path) -> None:
    out = tmp_path / "dry"
    prepare_out(out, fresh=True)
    run = Run(paper="multituning", profile="dryrun", out=out, data_root=out / "data", weights_root=out / "weights",
              fresh=True, console=io.StringIO())
    result = dryrun(run, datasets=("dtd",), extra=("data.image_size=32", "data.resize_size=36",
                                                   "policy.input_size=16"))
    (row,) = result["rows"]
    assert row["parameters"] == row["parameters_reference"]  # 3 ResNet-50 members with 47-way heads + the policy
    assert row["step_time_s"] > 0 and row["recipe_steps"] == 3 * 3000 + 1500 and row["batch"] == 2
    assert (out / "dtd" / "results.json").is_file() and (out / "dtd" / "policy").is_dir()
