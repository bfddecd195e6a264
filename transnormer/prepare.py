"""Download and prepare WikiText-103 (cannot run offline; the URLs are the official sources).

    python -m transnormer.prepare [--out data/wikitext-103]          # autoregressive LM (word level)
    python -m transnormer.prepare [--out data/wikitext-103] --bpe    # bidirectional LM (GPT-2 BPE)

Writes into the shared WikiText-103 folder (tnn reads the same one):
    OUT/raw/wikitext-103/wiki.{train,valid,test}.tokens   word level, wikitext-103-v1.zip as it unzips
                                                          (fairseq's examples/language_model/prepare-wikitext-103.sh)
    OUT/raw/wikitext-103-raw/wiki.{train,valid,test}.raw  wikitext-103-raw-v1.zip as it unzips (--bpe)
    OUT/bpe/wiki.{train,valid,test}.tokens + dict.txt     GPT-2 BPE ids as text with fairseq's GPT-2 dict.txt (--bpe)
Our reader builds fairseq's dictionary from the word-level train split (or reads a dict.txt beside it, so
token ids match a converted checkpoint); the fairseq route binarizes it into OUT/bin/word itself.
BPE: fairseq's examples/roberta/multiprocessing_bpe_encoder.py with the GPT-2 encoder.json / vocab.bpe /
dict.txt from https://dl.fbaipublicfiles.com/fairseq/gpt2_bpe/.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

from shared import paths
from shared.lm import GPT2_BPE_URL, WIKITEXT_RAW_URL, WIKITEXT_WORDS_URL, download


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=paths.dataset("wikitext-103"), help="the WikiText-103 folder")
    parser.add_argument("--bpe", action="store_true", help="GPT-2 BPE (bidirectional LM) instead of word level")
    args = parser.parse_args()
    raw = args.out / "raw"
    url = WIKITEXT_RAW_URL if args.bpe else WIKITEXT_WORDS_URL
    archive = download(url, raw / url.rsplit("/", 1)[1])
    with zipfile.ZipFile(archive) as z:
        z.extractall(raw)
    if not args.bpe:
        print(f"wrote {raw / 'wikitext-103'}")
        return
    bpe = args.out / "bpe"
    for name in ("encoder.json", "vocab.bpe", "dict.txt"):
        download(GPT2_BPE_URL + name, bpe / name)
    for split in ("train", "valid", "test"):
        subprocess.run([sys.executable, "-m", "examples.roberta.multiprocessing_bpe_encoder",
                        "--encoder-json", str(bpe / "encoder.json"), "--vocab-bpe", str(bpe / "vocab.bpe"),
                        "--inputs", str(raw / "wikitext-103-raw" / f"wiki.{split}.raw"), "--outputs",
                        str(bpe / f"wiki.{split}.tokens"), "--keep-empty", "--workers", "8"], check=True)
    print(f"wrote {bpe}")


if __name__ == "__main__":
    main()
