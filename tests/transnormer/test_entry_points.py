"""reproduce --profile full without data, the masked-LM path, and evaluate on a checkpoint."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.config import apply_overrides, load_config
from transnormer import evaluate, reproduce
from transnormer.train import run


def test_full_profile_without_data_stops_with_the_prepare_command(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no data/wikitext-103 here
    monkeypatch.setattr(sys, "argv", ["reproduce", "--profile", "full", "--out", str(tmp_path / "out")])
    with pytest.raises(SystemExit) as exc:
        reproduce.main()
    assert "python -m transnormer.prepare --out data/wikitext-103" in str(exc.value)


def test_masked_lm_trains_and_evaluate_scores_a_checkpoint(tmp_path: Path, monkeypatch, capsys) -> None:
    overrides = [f"data.root={tmp_path / 'data'}", "train.max_steps=4", "train.ckpt_every=4", "data.max_eval_blocks=4",
                 "model.num_layers=2", "model.dim=32", "model.num_heads=2", "model.block_size=16",
                 "train.schedule.warmup_steps=1"]
    blm = apply_overrides(load_config("transnormer/configs/smoke.py"), [*overrides, "task=blm", "model.causal=false"])
    results = run(blm, tmp_path / "blm", resume=False)
    assert results["task"] == "blm" and results["baseline_name"] == "untrained model" and results["ours"] > 1

    alm = apply_overrides(load_config("transnormer/configs/smoke.py"), overrides)
    run(alm, tmp_path / "alm", resume=False)
    checkpoint = next((tmp_path / "alm" / "checkpoints").glob("step_*.pt"))
    monkeypatch.setattr(sys, "argv", ["evaluate", "--config", "transnormer/configs/smoke.py", "--checkpoint",
                                      str(checkpoint), "--split", "valid", *sum((["--set", o] for o in overrides), [])])
    evaluate.main()
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["split"] == "valid" and 1 < result["ppl"] < 1000


def test_fairseq_engine_commands_follow_train_alm_sh(tmp_path: Path) -> None:
    cmds = reproduce.fairseq_commands(Path("data/wikitext-103"), tmp_path, gpus=8)
    assert Path(cmds[0][0]).name == "fairseq-preprocess" and [Path(c[0]).name for c in cmds[1:]] == ["fairseq-train"] * 2
    t1 = cmds[1]
    flag = {t1[i]: t1[i + 1] for i in range(len(t1) - 1) if t1[i].startswith("--")}
    assert flag["--arch"] == "transnormer_t1" and flag["--lr"] == "0.0005" and flag["--warmup-updates"] == "8000"
    assert flag["--update-freq"] == "2" and flag["--tokens-per-sample"] == "512"  # 128 samples per update on 8 GPUs
    assert flag["--user-dir"].endswith("transnormer/fairseq_transnormer")


def test_fairseq_engine_trains_then_reports_test_perplexity(tmp_path: Path) -> None:
    """The paper's route end to end on a generated corpus: preprocess, fairseq-train (shrunk by flags
    appended after train_alm.sh's: argparse keeps the last), then fairseq-eval-lm's test perplexity."""
    from transnormer.data import generate_corpus

    raw = generate_corpus(tmp_path / "raw", num_words=32, lines=(300, 20, 20))
    out = tmp_path / "out"
    small = ["--tn-dim", "16", "--tn-layers", "2", "--tn-heads", "2", "--tn-block-size", "8", "--max-update", "20",
             "--tokens-per-sample", "64", "--max-tokens", "512", "--batch-size", "8", "--update-freq", "1",
             "--warmup-updates", "5", "--lr", "0.005", "--cpu", "--no-progress-bar", "--log-interval", "10"]
    cmds = reproduce.fairseq_commands(raw, out, gpus=1)
    subprocess.run(cmds[0] + ["--workers", "1"], check=True, capture_output=True)
    subprocess.run(cmds[1] + small, check=True, capture_output=True)  # T1 only: the route is the same for T2
    ppl = reproduce.fairseq_test_ppl(out, "transnormer_t1", tokens_per_sample=64)
    assert 1 < ppl < 32  # below a uniform guess over the 32 generated words: it learned
