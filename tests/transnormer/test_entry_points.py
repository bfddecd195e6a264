"""reproduce --profile full without data, the masked-LM path, and evaluate on a checkpoint."""

import json
import subprocess
import sys
from pathlib import Path

from shared.config import apply_overrides, load_config
from shared.lm import eval_lm_perplexity
from transnormer import evaluate, recipe
from transnormer.synthetic import generate_corpus
from transnormer.train import run


def test_full_profile_without_data_stops_with_the_prepare_command(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "transnormer.reproduce", "--profile", "full", "--out", str(tmp_path / "out"),
                           "--data-root", str(tmp_path / "data")], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "python -m transnormer.prepare --out" in proc.stderr and "wiki.train.tokens" in proc.stderr


def test_masked_lm_trains_and_evaluate_scores_a_checkpoint(tmp_path: Path, monkeypatch, capsys) -> None:
    overrides = [f"data.data_root={tmp_path / 'data'}", "train.max_steps=4", "train.ckpt_every=4", "data.max_eval_blocks=4",
                 "model.num_layers=2", "model.embed_dim=32", "model.num_heads=2", "model.block_size=16",
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


def test_fairseq_commands_follow_train_alm_sh(tmp_path: Path) -> None:
    assert Path(recipe.preprocess_command(Path("raw"), tmp_path)[0]).name == "fairseq-preprocess"
    t1 = recipe.train_command(Path("bin"), tmp_path, "transnormer_t1", gpus=8)
    flag = {t1[i]: t1[i + 1] for i in range(len(t1) - 1) if t1[i].startswith("--")}
    assert flag["--arch"] == "transnormer_t1" and flag["--lr"] == "0.0005" and flag["--warmup-updates"] == "8000"
    assert flag["--update-freq"] == "2" and flag["--tokens-per-sample"] == "512"  # 128 samples per update on 8 GPUs
    on_six = recipe.train_command(Path("bin"), tmp_path, "transnormer_t1", gpus=6)
    six = {on_six[i]: on_six[i + 1] for i in range(len(on_six) - 1) if on_six[i].startswith("--")}
    assert (six["--distributed-world-size"], six["--update-freq"]) == ("4", "4")  # still 128 on 6 GPUs
    assert flag["--weight-decay"] == "0.01" and flag["--optimizer"] == "adam" and "--cpu" not in t1
    assert flag["--user-dir"].endswith("transnormer/fairseq_transnormer")


def test_fairseq_route_trains_then_reports_test_perplexity(tmp_path: Path) -> None:
    """The paper's route end to end on a generated corpus: preprocess, fairseq-train (shrunk by flags
    appended after train_alm.sh's: argparse keeps the last), then fairseq-eval-lm's test perplexity."""
    raw = generate_corpus(tmp_path / "raw", num_words=32, lines=(300, 20, 20))
    small = ["--tn-dim", "16", "--tn-layers", "2", "--tn-heads", "2", "--tn-block-size", "8", "--max-update", "20",
             "--tokens-per-sample", "64", "--max-tokens", "512", "--batch-size", "8", "--update-freq", "1",
             "--warmup-updates", "5", "--lr", "0.005", "--log-interval", "10"]
    subprocess.run(recipe.preprocess_command(raw, tmp_path / "bin", workers=1), check=True, capture_output=True)
    subprocess.run(recipe.train_command(tmp_path / "bin", tmp_path / "ckpt", "transnormer_t1", 0, small), check=True,
                   capture_output=True)  # T1 only: the route is the same for T2
    out = subprocess.run(recipe.eval_command(tmp_path / "bin", recipe.checkpoint(tmp_path / "ckpt"), 0, 64),
                         check=True, capture_output=True, text=True)
    ppl = eval_lm_perplexity(out.stdout + out.stderr)
    assert 1 < ppl < 32  # below a uniform guess over the 32 generated words: it learned
    # our evaluation of the same checkpoint on the same text (with fairseq's dict.txt) gives eval-lm's number
    import shutil

    import torch

    from shared.lm import LMBlocks, evaluate_ppl
    from transnormer.config import TransNormerConfig
    from transnormer.data import EOS, load_dictionary, load_split
    from transnormer.model import TransNormerLM

    shutil.copy(tmp_path / "bin" / "dict.txt", raw / "dict.txt")
    dictionary = load_dictionary(raw)
    state = torch.load(recipe.checkpoint(tmp_path / "ckpt"), map_location="cpu", weights_only=False)["model"]
    model = TransNormerLM(TransNormerConfig(vocab_size=len(dictionary), embed_dim=16, num_layers=2, num_heads=2,
                                            block_size=8, max_positions=64, dropout=0.0)).eval()
    model.load_state_dict({k.removeprefix("decoder.model."): v for k, v in state.items()}, strict=True)
    ours = evaluate_ppl(model, LMBlocks(load_split(raw, "test", dictionary), 64, EOS), batch_size=8)
    assert abs(ours - ppl) <= 0.006, (ours, ppl)
