"""Download and binarize WikiText-103 with the GPT-2 BPE, as OpenNLPLab/Tnn's README (from fairseq's
RoBERTa pretraining instructions) does. Needs internet; it cannot run offline.

    python -m tnn.prepare [--out data/wikitext-103] [--workers 16]

Writes into the shared WikiText-103 folder (transnormer reads the same one):
    OUT/raw/wikitext-103-raw/wiki.{train,valid,test}.{raw,bpe}   the official raw text and its BPE ids
    OUT/gpt2_bpe/{encoder.json,vocab.bpe,dict.txt}               the GPT-2 BPE files
    OUT/bin/gpt2/{dict.txt,train,valid,test}.{bin,idx}           fairseq-preprocess output (what tnn reads)
Sources: https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-103-raw-v1.zip and
https://dl.fbaipublicfiles.com/fairseq/gpt2_bpe/{encoder.json,vocab.bpe,dict.txt}. Steps: unzip; BPE-encode
wiki.{train,valid,test}.raw (as fairseq's examples/roberta/multiprocessing_bpe_encoder, --keep-empty);
fairseq-preprocess --only-source --srcdict dict.txt.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

from shared import paths
from shared.lm import GPT2_BPE_URL, WIKITEXT_RAW_URL, download


def bpe_encode(work: Path, bpe: Path) -> None:
    from fairseq.data.encoders.gpt2_bpe import get_encoder

    encoder = get_encoder(str(bpe / "encoder.json"), str(bpe / "vocab.bpe"))
    raw = work / "wikitext-103-raw"
    for split in ("train", "valid", "test"):
        src, dst = raw / f"wiki.{split}.raw", raw / f"wiki.{split}.bpe"
        if dst.is_file():
            continue
        with src.open(encoding="utf-8") as fin, dst.open("w", encoding="utf-8") as fout:
            for line in fin:  # --keep-empty: empty lines stay, as separators of articles
                line = line.strip()
                fout.write(" ".join(map(str, encoder.encode(line))) + "\n" if line else "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=paths.dataset("wikitext-103"), help="the WikiText-103 folder")
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    work = args.out / "raw"
    archive = download(WIKITEXT_RAW_URL, work / "wikitext-103-raw-v1.zip")
    if not (work / "wikitext-103-raw").is_dir():
        zipfile.ZipFile(archive).extractall(work)
    bpe = args.out / "gpt2_bpe"
    for name in ("encoder.json", "vocab.bpe", "dict.txt"):
        download(GPT2_BPE_URL + name, bpe / name)
    bpe_encode(work, bpe)
    raw = work / "wikitext-103-raw"
    out = args.out / "bin" / "gpt2"
    tool = Path(sys.executable).parent / "fairseq-preprocess"
    subprocess.run([str(tool) if tool.exists() else "fairseq-preprocess", "--only-source", "--srcdict",
                    str(bpe / "dict.txt"), "--trainpref", str(raw / "wiki.train.bpe"), "--validpref",
                    str(raw / "wiki.valid.bpe"), "--testpref", str(raw / "wiki.test.bpe"), "--destdir",
                    str(out), "--workers", str(args.workers)], check=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
