"""The smoke path learns: a shortened smoke run beats the unigram baseline by a wide margin."""

from pathlib import Path

from shared.config import apply_overrides, load_config
from transnormer.train import run


def test_smoke_run_learns(tmp_path: Path) -> None:
    cfg = apply_overrides(load_config("transnormer/configs/smoke.py"),
                          [f"data.data_root={tmp_path / 'data'}", "train.max_steps=120", "train.ckpt_every=120",
                           "data.max_eval_blocks=40"])
    results = run(cfg, tmp_path / "run", resume=False)
    assert results["metric"] == "valid_ppl" and results["baseline_name"] == "unigram"
    # the generated language has three likely successors per word: a bigram model reaches ~4, unigram ~55
    assert results["ours"] < 0.35 * results["baseline"], results
    assert results["ours"] < 0.1 * results["untrained_ppl"], results
    assert (tmp_path / "run" / "results.json").is_file()
