"""TransNormer LRA encoders under the shared LRA harness."""

from dataclasses import replace
from pathlib import Path

import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

from shared.config import apply_overrides, load_config
from shared.lra.train import run
from shared.parallel import GlobalBatchNorm, convert_sync_batchnorm, count_batchnorm
from transnormer.config import LRAModelConfig
from transnormer.lra import build_lra_classifier

TASKS = ["image", "text", "listops", "pathfinder", "pathx", "retrieval"]


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("variant", ["t1", "t2"])
def test_every_lra_config_builds_on_meta(task: str, variant: str) -> None:
    cfg = load_config(f"transnormer/configs/lra_{task}_{variant}.py")
    with torch.device("meta"):
        model = build_lra_classifier(task, cfg.model, 1024)
    n_attention = sum(1 for m in model.modules() if type(m).__name__ in ("DiagAttention", "NormAttention"))
    assert n_attention == cfg.model.num_layers
    assert sum(p.numel() for p in model.parameters()) > 0


def test_padding_does_not_change_real_positions() -> None:
    torch.manual_seed(0)
    cfg = LRAModelConfig(embed_dim=16, num_layers=2, num_heads=2, block_size=4, norm="layernorm", pooling="masked_mean")
    model = build_lra_classifier("listops", cfg, 12).eval()
    tokens = torch.randint(2, 10, (2, 12))
    padding = torch.zeros(2, 12, dtype=torch.bool)
    padding[:, 9:] = True
    other = tokens.clone()
    other[:, 9:] = 7  # different content at the padding
    with torch.no_grad():
        a = model.encoder(tokens, padding)[:, :9]
        b = model.encoder(other, padding)[:, :9]
    torch.testing.assert_close(a, b)


def test_lra_smoke_trains_and_reports(tmp_path: Path) -> None:
    cfg = apply_overrides(load_config("transnormer/configs/lra_listops_smoke.py"),
                          [f"data.data_dir={tmp_path / 'listops'}", "train.max_steps=30", "train.ckpt_every=30",
                           "data.gen_num_train=300"])
    results = run(cfg, tmp_path / "run", resume=False, build_model=build_lra_classifier)
    assert results["metric"] == "accuracy" and 0.0 <= results["ours"] <= 1.0
    assert (tmp_path / "run" / "results.json").is_file()


@pytest.mark.parametrize("task", TASKS)
def test_every_lra_recipe_synchronises_its_batchnorm(task: str) -> None:
    """script_lra.py's `synbatch` on 2-8 GPUs normalises over the whole batch: every config asks for it, and
    the encoder's channel BatchNorms convert with their state-dict keys and outputs kept."""
    cfg = load_config(f"transnormer/configs/lra_{task}_t2.py")
    assert cfg.train.sync_batchnorm and cfg.model.norm == "batchnorm"
    small = replace(cfg.model, embed_dim=8, num_layers=2, num_heads=2, block_size=4, mlp_dim=8)
    model = build_lra_classifier(task, small, 16).eval()
    tokens = torch.randint(1, 10, (2, 16))
    mask = torch.zeros(2, 16, dtype=torch.bool)
    args = (tokens, mask, tokens, mask) if task == "retrieval" else (tokens, mask)
    before, keys = model(*args), model.state_dict().keys()
    assert count_batchnorm(model) >= 2 * small.num_layers
    convert_sync_batchnorm(model)
    assert all(isinstance(m, GlobalBatchNorm) for m in model.modules() if isinstance(m, _BatchNorm))
    assert model.state_dict().keys() == keys
    torch.testing.assert_close(model(*args), before)
