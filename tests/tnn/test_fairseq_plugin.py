"""The --user-dir plugin builds our model through fairseq's registry and scores like TnnLM."""

import argparse
from pathlib import Path

import torch

from tnn.data import import_fairseq
from tnn.synthetic import generate_corpus

PLUGIN = Path(__file__).resolve().parents[2] / "tnn" / "fairseq_tnn"


def test_plugin_registers_the_paper_architecture(tmp_path):
    import_fairseq()
    from fairseq import options, tasks
    from fairseq.utils import import_user_module

    import_user_module(argparse.Namespace(user_dir=str(PLUGIN)))
    data = generate_corpus(tmp_path, words=20, tokens={"train": 300, "valid": 100, "test": 100})
    parser = options.get_training_parser()
    args = options.parse_args_and_arch(parser, [
        str(data), "--user-dir", str(PLUGIN), "--task", "language_modeling", "--arch", "tnn_v2_decay_99_pre",
        "--decoder-embed-dim", "16", "--decoder-layers", "2", "--rpe-embedding", "8", "--dropout", "0",
        "--share-decoder-input-output-embed", "--tokens-per-sample", "32", "--cpu"])
    task = tasks.setup_task(args)
    model = task.build_model(args).eval()
    cfg = model.decoder.lm.cfg
    assert (cfg.num_layers, cfg.num_heads, cfg.expand_ratio, cfg.rpe_layers, cfg.gamma, cfg.use_decay) == (2, 1, 3.0, 6, 0.99, True)
    tokens = torch.randint(4, len(task.source_dictionary), (2, 32))
    logits, _ = model(tokens)
    assert torch.allclose(logits, model.decoder.lm(tokens))
    lprobs = model.get_normalized_probs((logits, None), log_probs=True)
    assert torch.allclose(lprobs.exp().sum(-1), torch.ones(2, 32), atol=1e-5)


def test_plugin_masked_lm_runs_fairseqs_masked_lm_criterion(tmp_path):
    import_fairseq()
    from fairseq import options, tasks
    from fairseq.utils import import_user_module

    import_user_module(argparse.Namespace(user_dir=str(PLUGIN)))
    data = generate_corpus(tmp_path, words=20, tokens={"train": 300, "valid": 100, "test": 100})
    parser = options.get_training_parser()
    args = options.parse_args_and_arch(parser, [
        str(data), "--user-dir", str(PLUGIN), "--task", "masked_lm", "--criterion", "masked_lm",
        "--arch", "roberta_tnn_v2_decay_99", "--encoder-embed-dim", "16", "--encoder-layers", "1",
        "--rpe-embedding", "8", "--tokens-per-sample", "32", "--sample-break-mode", "complete", "--cpu"])
    task = tasks.setup_task(args)
    task.load_dataset("valid")
    model = task.build_model(args)
    criterion = task.build_criterion(args)
    batch = task.dataset("valid").collater([task.dataset("valid")[i] for i in range(2)])
    loss, sample_size, logs = criterion(model, batch)
    assert sample_size > 0 and torch.isfinite(loss)
    assert not model.model.cfg.causal and model.model.cfg.gamma == 0.99


def test_fairseq_train_then_eval_lm_from_the_command_line(tmp_path):
    """The paper's recipe path end to end, tiny: fairseq-train with the plugin, then fairseq-eval-lm at 2x length."""
    import os
    import re
    import subprocess
    import sys

    data = generate_corpus(tmp_path / "data", words=20, tokens={"train": 2000, "valid": 200, "test": 400})
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    common = ["--user-dir", str(PLUGIN), "--cpu", "--sample-break-mode", "none"]
    subprocess.run([str(bin_dir / "fairseq-train"), str(data), *common, "--task", "language_modeling",
                    "--arch", "tnn_v2_decay_99_pre", "--decoder-embed-dim", "16", "--decoder-layers", "1",
                    "--rpe-embedding", "8", "--share-decoder-input-output-embed", "--optimizer", "adam", "--lr", "0.003",
                    "--tokens-per-sample", "32", "--batch-size", "8", "--max-update", "3", "--disable-validation",
                    "--no-epoch-checkpoints", "--save-dir", str(tmp_path / "ckpt"), "--num-workers", "0"],
                   check=True, capture_output=True, env=env)
    out = subprocess.run([str(bin_dir / "fairseq-eval-lm"), str(data), *common, "--path",
                          str(tmp_path / "ckpt" / "checkpoint_last.pt"), "--tokens-per-sample", "64",
                          "--max-tokens", "64", "--context-window", "0", "--gen-subset", "test", "--num-workers", "0"],
                         check=True, capture_output=True, text=True, env=env)
    ppl = float(re.search(r"Perplexity: ([0-9.]+)", out.stdout + out.stderr).group(1))
    assert 1.0 < ppl < 1000.0
    # our evaluator on the same checkpoint and data gives fairseq-eval-lm's number (printed to 2 decimals)
    from tnn.config import TnnConfig
    from tnn.convert import convert_state_dict
    from tnn.data import load_tokens
    from tnn.evaluate import evaluate_ppl
    from tnn.model import TnnLM

    ckpt = torch.load(tmp_path / "ckpt" / "checkpoint_last.pt", map_location="cpu", weights_only=False)
    model = TnnLM(TnnConfig(vocab_size=24, embed_dim=16, num_layers=1, glu_dim=16, rpe_dim=8, dropout=0.0)).eval()
    model.load_state_dict(convert_state_dict(ckpt), strict=True)
    ours = evaluate_ppl(model, load_tokens(data, "test"), 64, batch_size=4)
    assert abs(ours - ppl) <= 0.006, (ours, ppl)

