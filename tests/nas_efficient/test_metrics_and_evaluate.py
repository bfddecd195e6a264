import json

import pytest
import torch

from nas_efficient.evaluate import evaluate
from nas_efficient.metrics import accuracy, bleu
from nas_efficient.train import main as train_main


def test_accuracy_edge_cases() -> None:
    labels = torch.tensor([0, 1, 2, 1])
    assert accuracy(torch.tensor([0, 1, 2, 1]), labels) == 1.0
    assert accuracy(torch.tensor([1, 0, 0, 0]), labels) == 0.0
    assert accuracy(torch.eye(3)[[0, 1, 1, 1]], labels) == 0.75  # logits
    with pytest.raises(ValueError, match="differ in shape"):
        accuracy(torch.tensor([0]), labels)
    with pytest.raises(ValueError, match="empty"):
        accuracy(torch.tensor([]), torch.tensor([]))


def test_bleu_is_sacrebleus_corpus_score() -> None:
    refs = ["the cat sat on the mat", "a dog barked loudly at night"]
    assert bleu(refs, refs) == pytest.approx(100.0)
    assert bleu(["completely unrelated words here", "nothing matches"], refs) < 5.0
    with pytest.raises(ValueError, match="2 references"):
        bleu(["one"], refs)


def test_evaluate_a_subnet_run(tmp_path) -> None:
    arch = tmp_path / "arch.json"
    arch.write_text(json.dumps({"embed_dim": 16, "ffn_dims": [32], "heads": [1], "attention": ["cosformer"]}))
    run = tmp_path / "run"
    results = train_main(["--config", "nas_efficient/configs/smoke.py", "--run-dir", str(run), "--set", "mode=subnet",
                          "--set", f"arch_file={arch}", "--set", "train.max_steps=60"])
    out = evaluate(run)
    assert out["test_accuracy"] == pytest.approx(results["test_accuracy"])
    supernet_run = tmp_path / "supernet"
    train_main(["--config", "nas_efficient/configs/smoke.py", "--run-dir", str(supernet_run),
                "--set", "train.max_steps=2", "--set", "train.schedule.warmup_steps=0"])
    with pytest.raises(ValueError, match="--arch"):
        evaluate(supernet_run)
    assert 0.0 <= evaluate(supernet_run, arch)["test_accuracy"] <= 1.0
