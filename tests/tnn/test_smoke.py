"""The smoke configuration learns and extrapolates: the same code path as reproduce.py --profile smoke."""

import json
import sys
from dataclasses import replace

import torch

from tnn.configs.smoke import get_config
from tnn.data import load_tokens
from tnn.evaluate import load_model
from tnn.extrapolate import extrapolation_table
from tnn.train import run


def test_smoke_lm_beats_baselines_and_stays_flat_to_8x(tmp_path, monkeypatch, capsys):
    torch.set_num_threads(1)
    cfg = get_config(str(tmp_path / "data"))
    cfg = replace(cfg, data=replace(cfg.data, gen_train_tokens=20_000, gen_eval_tokens=3_000),
                  train=replace(cfg.train, max_steps=150, ckpt_every=150))
    results = run(cfg, tmp_path / "run", resume=False)
    assert results["ours"] < 0.25 * results["baseline"]  # unigram
    assert results["ours"] < 0.05 * results["untrained_ppl"]
    model, _ = load_model(tmp_path / "run")
    tokens = load_tokens(cfg.data.data_root, "test")
    rows = extrapolation_table(model, tokens, [64, 128, 512], 64, 16, torch.device("cpu"))
    assert abs(rows[0]["ppl"] - results["test_ppl"]) < 1e-4 * results["test_ppl"]
    assert max(r["ppl_ratio"] for r in rows) < 1.1

    # the command-line tools on the same run: table, JSON and plot files; evaluation at another length
    from tnn import evaluate, extrapolate

    monkeypatch.setattr(sys, "argv", ["x", "--run-dir", str(tmp_path / "run"), "--lengths", "64", "256",
                                      "--out", str(tmp_path / "report")])
    extrapolate.main()
    saved = json.loads((tmp_path / "report" / "extrapolation.json").read_text())
    assert [r["length"] for r in saved] == [64, 256] and (tmp_path / "report" / "extrapolation.png").stat().st_size
    monkeypatch.setattr(sys, "argv", ["x", "--run-dir", str(tmp_path / "run"), "--tokens-per-sample", "256"])
    capsys.readouterr()
    evaluate.main()
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert abs(printed["ppl"] - saved[1]["ppl"]) < 1e-3 * saved[1]["ppl"]
    # a bare state dict (as tnn.convert writes) with a config file
    torch.save(model.state_dict(), tmp_path / "weights.pt")
    monkeypatch.setattr(sys, "argv", ["x", "--config", str(tmp_path / "run" / "config.json"), "--weights",
                                      str(tmp_path / "weights.pt"), "--tokens-per-sample", "256"])
    evaluate.main()
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["ppl"] == printed["ppl"]
