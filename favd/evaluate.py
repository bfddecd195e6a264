"""Evaluation of FAVD descriptions: generation, BLEU-1..4, METEOR, ROUGE-L, CIDEr, EntityScore, AudioScore.

    python -m favd.evaluate --pred P.json --ref R.json [--t5 weights/t5-base] [--nouns nltk|lexicon --lexicon w ...]
    python -m favd.evaluate --checkpoint RUN/checkpoints/step_X.pt --config favd/configs/x.py --ref R.json
    python -m favd.evaluate --pred P.json --audioscore weights/favdbench/TriLip.bin --data-root data/favdbench
                            [--split test] [--out result.csv]

P: a COCO result list [{"image_id", "caption"}, ...], a dict {vid: caption} (what the original AudioScore reads),
or the TSV the original's inference writes (key<TAB>[{"caption": ...}]). R: COCO captions ({"annotations": [...]})
or the same list format. The caption metrics print as JSON (and go to --out); AudioScore writes the original's
result.csv (case,score rows and a final 'mean' row) to --out and prints the mean.
SPICE is not computed (it downloads Stanford CoreNLP at run time).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

import torch

from favd.config import EvalConfig, FAVDConfig
from favd.data import DataError, FAVDDataset, build_datasets, read_coco_captions
from favd.metrics import HashWordEncoder, LexiconNouns, T5WordEncoder, caption_metrics, entity_score, nltk_nouns
from favd.model import AVLFormer, build_model
from favd.tokenizer import WordPiece
from shared.checkpoint import load_checkpoint
from shared.config import load_config
from shared.trainer import move_to

# ----------------------------------------------------------------------------------------------
# scoring


def entity_tools(cfg: EvalConfig):
    if cfg.entity_nouns == "nltk":
        extract = nltk_nouns
    elif cfg.entity_nouns == "lexicon":
        extract = LexiconNouns(cfg.entity_lexicon)
    else:
        raise ValueError(f"eval.entity_nouns: expected 'nltk' or 'lexicon', got {cfg.entity_nouns!r}")
    if cfg.t5_dir and not Path(cfg.t5_dir).is_dir():
        raise FileNotFoundError(f"eval.t5_dir: {cfg.t5_dir} is not a folder (expected a local t5-base: config.json, "
                                "model weights, tokenizer files); '' uses the hashed stand-in encoder")
    encode = T5WordEncoder(cfg.t5_dir) if cfg.t5_dir else HashWordEncoder()
    return extract, encode


def score_predictions(predictions: dict[str, str], references: dict[str, str | list[str]], cfg: EvalConfig
                      ) -> dict[str, float]:
    """Caption metrics over all references of a clip; EntityScore against its first reference (the original
    keeps one reference paragraph per clip)."""
    refs = {k: [v] if isinstance(v, str) else list(v) for k, v in references.items()}
    extract, encode = entity_tools(cfg)  # first: a missing T5 folder fails before the Java scorers run
    out = caption_metrics(predictions, refs, meteor=cfg.meteor)
    out.update(entity_score(predictions, {k: v[0] for k, v in refs.items()}, extract, encode))
    return out


def constant_baseline(train_captions: list[str]) -> str:
    """The constant guess: the distinct training description with the highest CIDEr when scored against all
    training descriptions as its references (the consensus paragraph)."""
    from pycocoevalcap.cider.cider import Cider

    counts = Counter(train_captions)
    candidates = list(counts)
    refs = [c.lower() for c in train_captions]
    gts = {i: refs for i in range(len(candidates))}
    res = {i: [c.lower()] for i, c in enumerate(candidates)}
    _, scores = Cider().compute_score(gts, res)
    return candidates[int(max(range(len(candidates)), key=lambda i: scores[i]))]


# ----------------------------------------------------------------------------------------------
# generation


@torch.no_grad()
def generate_descriptions(model: AVLFormer, data: FAVDDataset, tokenizer: WordPiece, cfg: FAVDConfig,
                          rank: int = 0, world: int = 1) -> dict[str, str]:
    """vid -> generated paragraph, for this process's share of the clips (greedy unless data.num_beams > 1)."""
    device = next(model.parameters()).device
    n = len(data) if not cfg.data.max_eval_clips else min(cfg.data.max_eval_clips, len(data))
    indices = list(range(rank, n, world))
    out: dict[str, str] = {}
    for start in range(0, len(indices), cfg.data.eval_batch_size):
        items = [data[i] for i in indices[start:start + cfg.data.eval_batch_size]]
        batch = move_to(torch.utils.data.default_collate(items), device)
        ids, _ = model.generate(batch["frames"], batch["audio"], batch["attention_mask"], cfg.data.max_gen_length,
                                tokenizer.id(tokenizer.cls_token), tokenizer.id(tokenizer.sep_token),
                                tokenizer.id(tokenizer.pad_token), tokenizer.id(tokenizer.mask_token),
                                num_beams=cfg.data.num_beams)
        for item, seq in zip(items, ids.tolist(), strict=True):
            out[data.clips[item["index"]].vid] = tokenizer.decode(seq)
    return out


def predictions_from_checkpoint(checkpoint: str, config: str) -> dict[str, str]:
    cfg = load_config(config)
    tokenizer = WordPiece(cfg.data.vocab_file)
    _, test = build_datasets(cfg, tokenizer)
    model = build_model(cfg)
    model.load_state_dict(load_checkpoint(checkpoint, map_location="cpu")["model"])
    model.to("cuda" if torch.cuda.is_available() else "cpu").eval()
    return generate_descriptions(model, test, tokenizer, cfg)


# ----------------------------------------------------------------------------------------------
# files


def read_predictions(path: Path) -> dict[str, str]:
    """vid -> description from a TSV (key<TAB>[{"caption": ...}]), a dict {vid: caption} or a COCO result list."""
    if path.suffix == ".tsv":
        out = {}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            key, _, caps = line.partition("\t")
            try:
                out[Path(key).stem] = json.loads(caps)[0]["caption"]
            except (json.JSONDecodeError, KeyError, IndexError) as err:
                raise DataError(f"{path}:{n}: expected key<TAB>[{{\"caption\": ...}}] ({err})") from err
        return out
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise DataError(f"{path}: not valid JSON ({err})") from err
        if isinstance(data, dict) and "annotations" not in data:
            bad = [k for k, v in data.items() if not isinstance(v, str)]
            if bad:
                raise DataError(f"{path}: entry {bad[0]!r}: expected a description string")
            return data
    return {k: v[0] for k, v in read_coco_captions(path).items()}


def write_audioscore_csv(scores: dict[str, float], path: Path) -> None:
    """The original's result.csv: `case,score` rows, the last one 'mean'."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["case", "score"])
        writer.writerows([k, v] for k, v in scores.items() if k != "mean")
        writer.writerow(["mean", scores["mean"]])


def run_audioscore(preds: dict[str, str], trilip: str, data_root: Path, split: str, batch_size: int = 128
                   ) -> dict[str, float]:
    from favd.audioscore import AudioScoreInputs, build_trilip, load_trilip, score_dataset

    if not Path(trilip).is_file():
        raise FileNotFoundError(f"{trilip}: TriLip.bin not found (the FAVDBench release r-metric-score)")
    model = load_trilip(trilip, build_trilip())
    inputs = AudioScoreInputs(data_root, split, preds)
    return score_dataset(model, inputs, batch_size, "cuda" if torch.cuda.is_available() else "cpu")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pred", type=Path)
    parser.add_argument("--checkpoint")
    parser.add_argument("--config")
    parser.add_argument("--ref", type=Path)
    parser.add_argument("--t5", default="weights/t5-base", help="local t5-base folder; '' for the hashed stand-in")
    parser.add_argument("--nouns", choices=("nltk", "lexicon"), default="nltk")
    parser.add_argument("--lexicon", nargs="*", default=[])
    parser.add_argument("--no-meteor", action="store_true")
    parser.add_argument("--audioscore", metavar="TRILIP_BIN", help="score the audio sentences with TriLip instead")
    parser.add_argument("--data-root", type=Path, default=Path("data/favdbench"), help="FAVDBench (AudioScore)")
    parser.add_argument("--split", default="test")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if (args.pred is None) == (args.checkpoint is None):
        parser.error("give --pred, or --checkpoint with --config")
    if args.audioscore is None and args.ref is None:
        parser.error("--ref is needed for the caption metrics")
    try:
        preds = read_predictions(args.pred) if args.pred else predictions_from_checkpoint(args.checkpoint, args.config)
        if args.audioscore:
            scores = run_audioscore(preds, args.audioscore, args.data_root, args.split)
            if args.out:
                write_audioscore_csv(scores, args.out)
            print(json.dumps({"AudioScore": scores["mean"], "clips": len(scores) - 1}))
            return
        refs = read_coco_captions(args.ref)
    except (DataError, FileNotFoundError) as err:
        sys.exit(f"error: {err}")
    cfg = EvalConfig(meteor=not args.no_meteor, entity_nouns=args.nouns, entity_lexicon=tuple(args.lexicon),
                     t5_dir=args.t5)
    try:
        scores = score_predictions(preds, refs, cfg)
    except (FileNotFoundError, ImportError, KeyError) as err:
        sys.exit(f"error: {err}")
    print(json.dumps(scores, indent=1))
    if args.out:
        args.out.write_text(json.dumps(scores, indent=1))


if __name__ == "__main__":
    main()
