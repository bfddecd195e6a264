"""The dryrun profile's wiring on a shrunk model (the profile itself runs the paper model): generated 224 px /
16 kHz clips in the Flickr-SoundNet and VGG-SS layouts, the launcher, every FNAC term, best-test-cIoU selection,
one results row per experiment; and torchvision's ResNet-18 file layout through the real loader."""

from __future__ import annotations

import json

import torch

from fnac_avl import reproduce
from fnac_avl.config import ModelConfig
from fnac_avl.convert import load_image_weights
from fnac_avl.model import FNACModel
from fnac_avl.synthetic import write_imagenet_resnet18
from shared.reproduce import Run

SHRINK = ("model.image_widths=[4,4,8,8]", "model.audio_widths=[4,4,8,8]", "model.embed_dim=8",
          "model.image_weights=", "data.image_size=64")


def test_dryrun_entry_on_a_shrunk_model(tmp_path):
    run = Run(paper="fnac_avl", profile="dryrun", out=tmp_path, data_root=tmp_path / "data",
              weights_root=tmp_path / "weights", fresh=True)
    (tmp_path / "log.txt").write_text("")
    out = reproduce.dryrun(run, steps=2, clips=4, extra=SHRINK)
    assert [r["experiment"] for r in out["rows"]] == ["flickr_10k", "vggss_10k"]
    for row in out["rows"]:
        assert row["recipe_batch"] == 256 and row["step_time_s"] > 0 and row["best_step"] in (1, 2)
        results = json.loads((tmp_path / row["experiment"] / "results.json").read_text())
        assert results["select_split"] == "test" and results["step"] == 2 and "last_cIoU" in results
        logs = [json.loads(line) for line in (tmp_path / row["experiment"] / "metrics.jsonl").read_text().splitlines()]
        assert any(r.get("split") == "train" and r["loss"] > r["contrastive"] + 1e-6 for r in logs)  # FNAC terms on


def test_torchvision_resnet18_layout_loads_into_the_image_encoder(tmp_path):
    path = write_imagenet_resnet18(tmp_path / "resnet18-f37072fd.pth")
    state = torch.load(path, weights_only=True)
    assert "fc.weight" in state and not any(k.endswith("num_batches_tracked") for k in state)
    model = FNACModel(ModelConfig())
    load_image_weights(model.image_encoder, path)
    assert torch.equal(model.image_encoder.layer3[1].conv2.weight, state["layer3.1.conv2.weight"])
