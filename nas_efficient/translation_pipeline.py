"""Translation through fairseq: a generated toy language pair, preprocess -> train -> generate -> BLEU,
and the evolutionary search on a trained translation supernet.

    python -m nas_efficient.translation_pipeline --out DIR [--updates 400] [--search] [--retrain]

The toy pair: sentences of 3-6 words over 12 source words; the target maps every word through a fixed
lexicon (3 words are kept, 9 renamed), word order unchanged. Copying the source scores a low BLEU, a
model that learned the lexicon scores near 100. fairseq runs as subprocesses (`fairseq_cli.*`), with
this subproject's plugin as `--user-dir`. With `--search`, the trained supernet's sub-networks are
scored by their validation loss (inheriting the shared weights) and evolved under a parameter budget;
with `--retrain`, the searched and a random sub-network of the same budget are retrained from scratch.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from nas_efficient.config import EvolutionConfig
from nas_efficient.evolution import evolve
from nas_efficient.metrics import bleu
from nas_efficient.translation_arch import TranslationArch, TranslationSearchSpace, tiny_space
from nas_efficient.translation_model import TranslationModelConfig, TranslationSupernet, count_parameters

PLUGIN = Path(__file__).resolve().parent / "fairseq_nas"
SRC, TGT = "src", "tgt"

# fairseq-train options of the smoke run (a toy task: constant learning rate, no dropout, no smoothing)
SMOKE_TRAIN = ["--arch", "mixformer_translation_tiny", "--optimizer", "adam", "--adam-betas", "(0.9, 0.98)",
               "--lr", "0.01", "--lr-scheduler", "fixed", "--warmup-updates", "50", "--criterion", "cross_entropy",
               "--max-tokens", "600", "--seed", "1", "--log-interval", "50"]


def toy_pair(rng: random.Random, vocab: int = 12, kept: int = 3) -> tuple[str, str]:
    words = [rng.randrange(vocab) for _ in range(rng.randint(3, 6))]
    return " ".join(f"w{w}" for w in words), " ".join(f"w{w}" if w < kept else f"x{w}" for w in words)


def write_toy_corpus(root: Path, sizes: dict[str, int] | None = None, seed: int = 0) -> Path:
    """`root/{train,valid,test}.{src,tgt}`, one sentence a line."""
    sizes = sizes or {"train": 2000, "valid": 100, "test": 100}
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for split, n in sizes.items():
        pairs = [toy_pair(rng) for _ in range(n)]
        (root / f"{split}.{SRC}").write_text("".join(s + "\n" for s, _ in pairs))
        (root / f"{split}.{TGT}").write_text("".join(t + "\n" for _, t in pairs))
    return root


def fairseq(tool: str, args: list[str], log: Path) -> str:
    """Run `python -m fairseq_cli.<tool> args`, keep its output in `log`, fail loudly with its tail."""
    cmd = [sys.executable, "-m", f"fairseq_cli.{tool}", *args]
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    log.write_text(proc.stdout + proc.stderr)
    if proc.returncode:
        raise RuntimeError(f"fairseq-{tool} failed (exit {proc.returncode}), see {log}:\n{proc.stderr[-3000:]}")
    return proc.stdout


def preprocess(raw: Path, data_bin: Path) -> Path:
    fairseq("preprocess", ["--source-lang", SRC, "--target-lang", TGT, "--trainpref", str(raw / "train"),
                           "--validpref", str(raw / "valid"), "--testpref", str(raw / "test"), "--destdir", str(data_bin),
                           "--joined-dictionary", "--workers", "1"], data_bin.parent / "preprocess.log")
    return data_bin


def train(data_bin: Path, save_dir: Path, updates: int, extra: list[str] = ()) -> Path:
    fairseq("train", [str(data_bin), "--user-dir", str(PLUGIN), "--task", "translation", *SMOKE_TRAIN,
                      "--max-update", str(updates), "--save-dir", str(save_dir), "--no-epoch-checkpoints",
                      "--disable-validation", "--cpu", "--num-workers", "0", "--no-progress-bar", *extra],
            save_dir.parent / f"{save_dir.name}.log")
    return save_dir / "checkpoint_last.pt"


def generate(data_bin: Path, checkpoint: Path, subset: str = "test", extra: list[str] = ()) -> list[dict]:
    """fairseq-generate's sentences in corpus order: {"source", "reference", "hypothesis"}."""
    out = fairseq("generate", [str(data_bin), "--user-dir", str(PLUGIN), "--path", str(checkpoint), "--gen-subset",
                               subset, "--beam", "2", "--batch-size", "100",
                               # with a batch-size multiple > 1 this fairseq drops the last partial batch
                               "--required-batch-size-multiple", "1", "--cpu", "--num-workers", "0", *extra],
                  checkpoint.parent.parent / f"generate_{subset}.log")
    rows: dict[int, dict] = {}
    for line in out.splitlines():
        tag, _, rest = line.partition("\t")
        kind, _, idx = tag.partition("-")
        if kind in ("S", "T", "H") and idx.isdigit():
            text = rest.split("\t")[-1]  # H lines carry a score first
            rows.setdefault(int(idx), {})[{"S": "source", "T": "reference", "H": "hypothesis"}[kind]] = text
    return [rows[i] for i in sorted(rows)]


def load_supernet(checkpoint: Path) -> TranslationSupernet:
    """The `TranslationSupernet` inside a fairseq checkpoint of the plugin's model."""
    torch.serialization.add_safe_globals([argparse.Namespace])  # fairseq stores its arguments in one
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    args = state["cfg"]["model"]
    if not str(getattr(args, "arch", "")).startswith("mixformer_translation"):
        raise ValueError(f"{checkpoint}: not a mixformer_translation checkpoint (arch {getattr(args, 'arch', None)})")
    weights = {k.removeprefix("supernet."): v for k, v in state["model"].items()}
    space = tiny_space() if args.search_space == "tiny" else TranslationSearchSpace()
    cfg = TranslationModelConfig(args.qkv_dim, max(args.max_source_positions, args.max_target_positions), 0.0, 0.0, 0.0)
    model = TranslationSupernet(len(weights["embed.weight"]), 1, space, cfg)  # fairseq's padding index is 1
    model.load_state_dict(weights)
    return model.eval()


def make_batch(sources: list[list[int]], targets: list[list[int]], pad: int, eos: int) -> tuple[torch.Tensor, ...]:
    """(source, previous target, target) in fairseq's layout from token ids that end with </s>: sources
    left-padded, the decoder input starting with </s>."""
    s_len, t_len = max(map(len, sources)), max(map(len, targets))
    source = torch.tensor([[pad] * (s_len - len(s)) + s for s in sources])
    target = torch.tensor([t + [pad] * (t_len - len(t)) for t in targets])
    prev = torch.tensor([[eos] + t[:-1] + [pad] * (t_len - len(t)) for t in targets])
    return source, prev, target


def encode_corpus(raw: Path, split: str, data_bin: Path) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A raw toy split as one batch (see `make_batch`), with the binarized data's dictionary."""
    from fairseq.data import Dictionary

    vocab = Dictionary.load(str(data_bin / f"dict.{SRC}.txt"))

    def ids(line: str) -> list[int]:
        return [vocab.index(w) for w in line.split()] + [vocab.eos()]

    src = [ids(s) for s in (raw / f"{split}.{SRC}").read_text().splitlines()]
    tgt = [ids(t) for t in (raw / f"{split}.{TGT}").read_text().splitlines()]
    return make_batch(src, tgt, vocab.pad(), vocab.eos())


@torch.no_grad()
def validation_loss(model: TranslationSupernet, arch: TranslationArch, batch: tuple[torch.Tensor, ...] | list) -> float:
    """Mean token negative log-likelihood (nats) of `arch` with the supernet's weights; `batch` is one
    (source, previous target, target) triple or a list of them."""
    batches = batch if isinstance(batch, list) else [batch]
    total, tokens = 0.0, 0
    for source, prev, target in batches:
        logits = model(source, prev, arch)
        total += F.cross_entropy(logits.flatten(0, 1), target.flatten(), ignore_index=model.padding_idx,
                                 reduction="sum").item()
        tokens += int(target.ne(model.padding_idx).sum())
    return total / tokens


def search(model: TranslationSupernet, batch: tuple[torch.Tensor, ...] | list, vocab: int, budget: float,
           cfg: EvolutionConfig, cost=None) -> dict:
    """Evolve sub-networks with cost(arch) <= `budget` towards the lowest validation loss; the cost is
    the parameter count unless given (e.g. a latency predictor)."""
    cost = cost or (lambda a: count_parameters(model, a, vocab))
    result = evolve(model.space, lambda a: -validation_loss(model, a, batch), lambda a: cost(a) <= budget, cfg,
                    progress=False)
    return {"arch": json.loads(result.best.to_json()), "valid_loss": -result.best_score, "cost": cost(result.best),
            "params": count_parameters(model, result.best, vocab), "budget": budget, "evaluated": len(result.evaluated),
            "history": [-max(h) for h in result.history],
            "candidates": [{"cost": cost(a), "valid_loss": -score, "arch": json.loads(a.to_json())}
                           for a, score in result.evaluated.values()]}


def test_bleu(data_bin: Path, checkpoint: Path) -> tuple[float, float, int]:
    """(BLEU of the model, BLEU of copying the source, sentences) on the test split."""
    rows = generate(data_bin, checkpoint)
    references = [r["reference"] for r in rows]
    return (bleu([r["hypothesis"] for r in rows], references), bleu([r["source"] for r in rows], references),
            len(rows))


def smoke(out: Path, updates: int = 400, run_search: bool = False, retrain: bool = False) -> dict:
    """Supernet training and BLEU; with `run_search`, evolution under a parameter budget (the median of
    random sub-networks) against random sub-networks of the same budget; with `retrain`, both retrained
    from scratch (`--subnet-arch --subnet-standalone`) and compared by test BLEU."""
    raw = write_toy_corpus(out / "raw")
    data_bin = preprocess(raw, out / "data-bin")
    checkpoint = train(data_bin, out / "supernet", updates)
    ours, copy, sentences = test_bleu(data_bin, checkpoint)
    results = {"metric": "BLEU", "ours": ours, "baseline": copy, "baseline_name": "copy the source",
               "subnet": "the supernet's largest sub-network", "updates": updates, "sentences": sentences}
    if run_search or retrain:
        model = load_supernet(checkpoint)
        batch = encode_corpus(raw, "valid", data_bin)
        vocab = len(model.embed.weight)
        sizes = sorted(count_parameters(model, model.space.sample(random.Random(i)), vocab) for i in range(50))
        found = search(model, batch, vocab, sizes[len(sizes) // 2], EvolutionConfig(4, 30, 6, 12, 12))
        found.pop("candidates")
        rng, randoms = random.Random(1), []
        while len(randoms) < 5:  # random sub-networks within the same budget
            a = model.space.sample(rng)
            if count_parameters(model, a, vocab) <= found["budget"]:
                randoms.append(a)
        found["random_valid_loss"] = sum(validation_loss(model, a, batch) for a in randoms) / len(randoms)
        results["search"] = found
        best = TranslationArch(**found["arch"])
        best.save(out / "best_arch.json")
        if retrain:
            scores = {}
            for name, arch in (("searched", best), ("random", randoms[0])):
                path = arch.save(out / f"{name}_arch.json")
                ckpt = train(data_bin, out / f"retrain_{name}", updates,
                             ["--subnet-arch", str(path), "--subnet-standalone"])
                scores[name] = test_bleu(data_bin, ckpt)[0]
            results["retrain"] = {"searched_bleu": scores["searched"], "random_bleu": scores["random"],
                                  "random_arch": json.loads(randoms[0].to_json())}
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("runs/nas_efficient/translation_smoke"))
    parser.add_argument("--updates", type=int, default=400)
    parser.add_argument("--search", action="store_true", help="also search the trained supernet")
    parser.add_argument("--retrain", action="store_true", help="also retrain the searched and a random sub-network")
    args = parser.parse_args(argv)
    results = smoke(args.out, args.updates, args.search, args.retrain)
    print(json.dumps(results, indent=2))
    return 0 if math.isfinite(results["ours"]) else 1


if __name__ == "__main__":
    sys.exit(main())
