"""The smoke configuration learns and extrapolates: the same code path as reproduce.py --profile smoke."""

import torch

from shared.config import load_config
from tnn.data import load_tokens
from tnn.evaluate import load_model
from tnn.extrapolate import extrapolation_table
from tnn.train import run


def test_smoke_lm_beats_baselines_and_stays_flat_to_8x(tmp_path):
    torch.set_num_threads(1)
    cfg = load_config("tnn/configs/smoke.py")
    cfg.data.data_dir = str(tmp_path / "data")
    cfg.data.gen_train_tokens = 20_000
    cfg.data.gen_eval_tokens = 3_000
    cfg.train.max_steps = 150
    cfg.train.ckpt_every = 150
    results = run(cfg, tmp_path / "run", resume=False)
    assert results["ours"] < 0.25 * results["baseline"]  # unigram
    assert results["ours"] < 0.05 * results["untrained_ppl"]
    model, _ = load_model(tmp_path / "run")
    tokens = load_tokens(cfg.data.data_dir, "test")
    rows = extrapolation_table(model, tokens, [64, 128, 512], 64, 16, torch.device("cpu"))
    assert abs(rows[0]["ppl"] - results["test_ppl"]) < 1e-4 * results["test_ppl"]
    assert max(r["ppl_ratio"] for r in rows) < 1.1
