"""Download and prepare WikiText-103 (cannot run offline; the URLs are the official sources).

    python -m transnormer.prepare --out data/wikitext-103            # autoregressive LM (word level)
    python -m transnormer.prepare --out data/wikitext-103-bpe --bpe  # bidirectional LM (GPT-2 BPE)

Word level: fairseq's examples/language_model/prepare-wikitext-103.sh fetches
https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-103-v1.zip and keeps
wiki.{train,valid,test}.tokens; our reader builds fairseq's dictionary from train (or reads the
dict.txt of a fairseq data-bin copied next to them, so token ids match a converted checkpoint).
BPE: wikitext-103-raw-v1.zip, encoded with fairseq's examples/roberta/multiprocessing_bpe_encoder.py and
the GPT-2 encoder.json / vocab.bpe / dict.txt from https://dl.fbaipublicfiles.com/fairseq/gpt2_bpe/;
the encoded files are written as wiki.{split}.tokens beside that dict.txt.
For training through fairseq instead (transnormer/fairseq_transnormer), binarise with fairseq-preprocess as
OpenNLPLab/Transnormer's README says.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

WORD_URL = "https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-103-v1.zip"
RAW_URL = "https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-103-raw-v1.zip"
GPT2 = "https://dl.fbaipublicfiles.com/fairseq/gpt2_bpe/"


def fetch(url: str, dest: Path) -> Path:
    if not dest.is_file():
        print(f"downloading {url}", flush=True)
        urllib.request.urlretrieve(url, dest)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--bpe", action="store_true", help="GPT-2 BPE (bidirectional LM) instead of word level")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    archive = fetch(RAW_URL if args.bpe else WORD_URL, args.out / "wikitext.zip")
    with zipfile.ZipFile(archive) as z:
        z.extractall(args.out)
    folder = next(p for p in args.out.iterdir() if p.is_dir() and p.name.startswith("wikitext-103"))
    suffix = "raw" if args.bpe else "tokens"
    for split in ("train", "valid", "test"):
        shutil.move(str(folder / f"wiki.{split}.{suffix}"), args.out / f"wiki.{split}.{suffix}")
    if not args.bpe:
        return
    for name in ("encoder.json", "vocab.bpe", "dict.txt"):
        fetch(GPT2 + name, args.out / name)
    for split in ("train", "valid", "test"):
        subprocess.run([sys.executable, "-m", "examples.roberta.multiprocessing_bpe_encoder",
                        "--encoder-json", str(args.out / "encoder.json"), "--vocab-bpe", str(args.out / "vocab.bpe"),
                        "--inputs", str(args.out / f"wiki.{split}.raw"), "--outputs",
                        str(args.out / f"wiki.{split}.tokens"), "--keep-empty", "--workers", "8"], check=True)


if __name__ == "__main__":
    main()
