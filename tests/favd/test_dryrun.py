"""The dryrun profile's wiring on a shrunk config (seconds): generated FAVDBench and random released weight files
written where the config reads them, loaded by the real loaders, the same `favd.train` command, and one row of
measurements. The paper-size run is `make favd PROFILE=dryrun`."""

import json
import shutil
from pathlib import Path

import torch

from favd.config import FAVDConfig
from favd.convert import load_pretrained
from favd.dryrun import released_passt, released_video_swin, run_dryrun, write_inputs
from favd.model import build_model
from shared.config import load_config
from shared.reproduce import Run

SHRUNK = '''
from dataclasses import replace

from favd.config import InitConfig
from favd.configs._common import BERT_VOCAB, DATASET, PASST, VIDEO_SWIN
from favd.configs.smoke import get_config as smoke
from shared.paths import dataset, weights


def get_config():
    cfg = smoke()
    data = replace(cfg.data, root=str(dataset(DATASET)), vocab_file=str(weights(*BERT_VOCAB)), generate=False,
                   max_gen_length=8)
    return replace(cfg, data=data, init=InitConfig(video_swin=str(weights(*VIDEO_SWIN)), passt=str(weights(*PASST))))
'''


def test_dryrun_entry_on_a_shrunk_config(tmp_path: Path) -> None:
    config = tmp_path / "shrunk.py"
    config.write_text(SHRUNK)
    out = tmp_path / "run"
    out.mkdir()
    (out / "log.txt").write_text("")
    run = Run(paper="favd", profile="dryrun", out=out, data_root=out / "data", weights_root=out / "weights",
              fresh=True)
    result = run_dryrun(run, config=config, steps=2, eval_clips=1, cpu_variant=[])
    row = result["rows"][0]
    assert row["experiment"] == "shrunk" and row["parameters"] > 0 and row["step_time_s"] > 0
    assert row["peak_memory_mb"] > 0 and row["estimate_hours"] > 0 and row["CIDEr"] >= 0
    assert (out / "data" / "favdbench" / "metadata" / "train.caption.tsv").is_file()
    assert (out / "weights" / "video_swin" / "swin_base_patch244_window877_kinetics600_22k.pth").is_file()
    trained = json.loads((out / "train" / "results.json").read_text())
    assert trained["step"] == 2


def test_released_weight_files_load_through_the_real_loader(tmp_path: Path) -> None:
    """Every backbone and PaSST tensor of the model comes from the files (the heads the model lacks are skipped)."""
    cfg: FAVDConfig = load_config(Path("favd/configs/smoke.py"))
    model = build_model(cfg)
    torch.save(released_video_swin(cfg), tmp_path / "swin.pth")
    torch.save(released_passt(cfg), tmp_path / "passt.pt")
    report = load_pretrained(model, str(tmp_path / "swin.pth"), str(tmp_path / "passt.pt"))
    assert report["video_swin"][0] == len(model.swin.state_dict())
    assert report["video_swin"][1] == []  # the Kinetics head is dropped by the converter (backbone.* only)
    assert report["passt"][0] == len(model.passt.net.state_dict())
    assert sorted(report["passt"][1]) == ["passt.net.head.1.bias", "passt.net.head.1.weight",
                                          "passt.net.head_dist.bias", "passt.net.head_dist.weight"]
    swin = torch.load(tmp_path / "swin.pth", weights_only=False)["state_dict"]
    assert swin["cls_head.fc_cls.weight"].shape == (600, model.swin.backbone.num_features)
    assert torch.equal(model.swin.backbone.patch_embed.proj.weight, swin["backbone.patch_embed.proj.weight"])


def test_inputs_are_rewritten_when_a_fresh_run_kept_only_the_data(tmp_path: Path, monkeypatch) -> None:
    """A fresh dryrun keeps <out>/data but empties <out>/weights, where the vocabulary lives: it must come back
    (the second dryrun here once stopped at 'BERT vocab file not found')."""
    monkeypatch.setenv("REPRO_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("REPRO_WEIGHTS", str(tmp_path / "weights"))
    config = tmp_path / "shrunk.py"
    config.write_text(SHRUNK)
    cfg = load_config(config)
    write_inputs(cfg, num_train=1, num_test=1)
    shutil.rmtree(tmp_path / "weights")
    write_inputs(cfg, num_train=1, num_test=1)
    assert Path(cfg.data.vocab_file).is_file() and Path(cfg.init.passt).is_file()
    assert len(Path(cfg.data.vocab_file).read_text().splitlines()) == cfg.model.bert.vocab_size
