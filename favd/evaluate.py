"""Score FAVD predictions: BLEU-1..4, METEOR, ROUGE-L, CIDEr, EntityScore (SPICE is not available offline).

    python -m favd.evaluate --pred P.json --ref R.json [--t5 models/t5-base] [--nouns nltk|lexicon --lexicon w ...]
    python -m favd.evaluate --checkpoint RUN/checkpoints/step_X.pt --config favd/configs/x.py --ref R.json

P: the original's prediction format, a COCO result list [{"image_id", "caption"}, ...] (or the TSV the original's
inference writes: key<TAB>[{"caption": ...}]). R: COCO captions ({"annotations": [...]}) or the same list format.
Prints the scores as JSON and writes them to --out.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from favd.data import DataError, read_coco_captions
from favd.evaluation import EvalConfig, score_predictions


def read_predictions(path: Path) -> dict[str, str]:
    if path.suffix == ".tsv":
        out = {}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            key, _, caps = line.partition("\t")
            try:
                out[Path(key).stem] = json.loads(caps)[0]["caption"]
            except (json.JSONDecodeError, KeyError, IndexError) as err:
                raise DataError(f"{path}:{n}: expected key<TAB>[{{\"caption\": ...}}] ({err})") from err
        return out
    return {k: v[0] for k, v in read_coco_captions(path).items()}


def predictions_from_checkpoint(checkpoint: str, config: str) -> dict[str, str]:
    import torch

    from favd.tokenizer import WordPiece
    from favd.train import build_model, datasets, generate_descriptions
    from shared.checkpoint import load_checkpoint
    from shared.config import load_config

    cfg = load_config(config)
    tokenizer = WordPiece(cfg.data.vocab_file)
    _, test = datasets(cfg, tokenizer)
    model = build_model(cfg)
    model.load_state_dict(load_checkpoint(checkpoint, map_location="cpu")["model"])
    model.to("cuda" if torch.cuda.is_available() else "cpu").eval()
    return generate_descriptions(model, test, tokenizer, cfg)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pred", type=Path)
    parser.add_argument("--checkpoint")
    parser.add_argument("--config")
    parser.add_argument("--ref", type=Path, required=True)
    parser.add_argument("--t5", default="models/t5-base", help="local t5-base folder; '' for the hashed stand-in")
    parser.add_argument("--nouns", choices=("nltk", "lexicon"), default="nltk")
    parser.add_argument("--lexicon", nargs="*", default=[])
    parser.add_argument("--no-meteor", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if (args.pred is None) == (args.checkpoint is None):
        parser.error("give --pred, or --checkpoint with --config")
    try:
        preds = read_predictions(args.pred) if args.pred else predictions_from_checkpoint(args.checkpoint, args.config)
        refs = read_coco_captions(args.ref)
    except DataError as err:
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
