"""The dryrun profile's wiring on a shrunk model (the profile itself runs the paper models): generated data in
the official layout, the released files' key sets through the real loaders, the launcher, validation-based
checkpoint selection, and one results row per experiment."""

from __future__ import annotations

import json

import torch

from avsbench import reproduce
from avsbench.config import AudioConfig, ModelConfig
from avsbench.convert import load_backbone, load_vggish
from avsbench.model import AVSSystem
from avsbench.synthetic import _pvt_release_key, released_layouts, write_released_weights
from shared.reproduce import Run

SHRINK = ("model.resnet_layers=[1,1,1,1]", "model.channels=8", "model.head_channels=[8,4]", "data.image_size=64",
          "backbone_weights=null")


def test_dryrun_entry_on_a_shrunk_model(tmp_path):
    run = Run(paper="avsbench", profile="dryrun", out=tmp_path, data_root=tmp_path / "data",
              weights_root=tmp_path / "weights", fresh=True)
    (tmp_path / "log.txt").write_text("")
    out = reproduce.dryrun(run, names=("s4_resnet50_tpavi",), steps=2, clips=1, extra=SHRINK)
    (row,) = out["rows"]
    assert row["experiment"] == "s4_resnet50_tpavi" and row["recipe_batch"] == 4 and row["recipe_steps"] == 863 * 15
    assert row["step_time_s"] > 0 and row["parameters"] > 0 and row["best_step"] in (1, 2)
    results = json.loads((tmp_path / "s4_resnet50_tpavi" / "results.json").read_text())
    assert results["select_split"] == "val" and (tmp_path / "s4_resnet50_tpavi" / "checkpoints" / "best.pt").is_file()
    frames = sorted((tmp_path / "data" / "avsbench" / "Single-source" / "s4_data" / "visual_frames").rglob("*.png"))
    assert len(frames) == 3 * 5


def test_released_layouts_load_through_the_real_loaders(tmp_path, golden):
    files = write_released_weights(tmp_path)
    system = AVSSystem(ModelConfig(backbone="resnet50", tpavi_stages=()), AudioConfig())
    load_vggish(system, files["vggish"])
    load_backbone(system, files["resnet50"])
    assert torch.equal(system.avs.backbone.layer4[2].conv3.weight, torch.load(files["resnet50"])["layer4.2.conv3.weight"])
    # the PVT-v2 release's keys are the original model's encoder keys, plus its classifier head
    original = {k[len("encoder_backbone."):]: tuple(s) for k, s, _ in golden("orig_layouts.json")["pvt_v2_b5_spec"]
                if k.startswith("encoder_backbone.")}
    ours = released_layouts()["pvt_v2_b5"]
    assert {k: v for k, v in ours.items() if not k.startswith("head.")} == original
    assert _pvt_release_key("stages.2.blocks.39.mlp.dwconv.weight") == "block3.39.mlp.dwconv.dwconv.weight"
