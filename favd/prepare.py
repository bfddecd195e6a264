"""Download and lay out FAVDBench and AVLFormer's pretrained parts (cannot run offline; not run here).

    python -m favd.prepare --root data/favdbench --weights weights [--videos DIR_OF_RAW_MP4]

Writes the dataset to <root> (default data/favdbench, the shared data root) and the weights to
<weights>/<release>/<file> (default weights/): bert-base-uncased/vocab.txt, video_swin/..., passt/...,
favdbench/TriLip.bin (AudioScore); t5-base (EntityScore) goes to <weights>/t5-base as a Hugging Face folder.

Sources (the FAVDBench release page of OpenNLPLab/FAVDBench on GitHub; md5 sums from its datasets README):
    metadata.zip   f03e61e48212132bfd9589c2d8041cb1  -> <root>/metadata/{train,val,test}.caption.tsv, ...
    audio_hdf.tar  79f09f444ce891b858cb728d2fdcdc1b  -> <root>/audio_hdf/{train,val,test}_mp3.hdf
    raw videos: by application to the authors (see the FAVDBench README); frames are then extracted here,
    32 per clip uniformly over its duration (as data_prepro/extract_frames.py), to <root>/frames/<split>-32frames/.
Weights: bert-base-uncased vocab.txt (BERT itself is trained from scratch, as the original), Video Swin-B
Kinetics-600 (SwinTransformer/Video-Swin-Transformer release), PaSST-S AudioSet (kkoutini/PaSST release,
passt-s-f128-p16-s10-ap.476-swa.pt), TriLip.bin (FAVDBench release r-metric-score), t5-base (Hugging Face).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import tarfile
import urllib.request
import zipfile
from pathlib import Path

from shared.paths import dataset, weights_root

RELEASE = "https://github.com/OpenNLPLab/FAVDBench/releases/download/r-data-preparation/"
FILES = {"metadata.zip": "f03e61e48212132bfd9589c2d8041cb1", "audio_hdf.tar": "79f09f444ce891b858cb728d2fdcdc1b"}
WEIGHTS = {
    "bert-base-uncased/vocab.txt":
        "https://raw.githubusercontent.com/OpenNLPLab/FAVDBench/main/AVLFormer/models/captioning/bert-base-uncased/vocab.txt",
    "video_swin/swin_base_patch244_window877_kinetics600_22k.pth":
        "https://github.com/SwinTransformer/storage/releases/download/v1.0.4/swin_base_patch244_window877_kinetics600_22k.pth",
    "passt/passt-s-f128-p16-s10-ap.476-swa.pt":
        "https://github.com/kkoutini/PaSST/releases/download/v0.0.1-audioset/passt-s-f128-p16-s10-ap.476-swa.pt",
    "favdbench/TriLip.bin": "https://github.com/OpenNLPLab/FAVDBench/releases/download/r-metric-score/TriLip.bin",
}
MD5 = {"favdbench/TriLip.bin": "6baef8a9b383fa7c94a4c56856b0af6d"}


def download(url: str, md5: str | None = None) -> bytes:
    with urllib.request.urlopen(url) as r:  # noqa: S310 (fixed https sources)
        data = r.read()
    if md5 and hashlib.md5(data).hexdigest() != md5:
        raise RuntimeError(f"{url}: md5 mismatch (expected {md5})")
    return data


def extract_frames(video: Path, out_dir: Path, num_frames: int = 32) -> None:
    """`num_frames` frames spread uniformly over the clip, saved as <vid>_frame0001.jpg ..."""
    import av

    with av.open(str(video)) as container:
        frames = [f.to_image() for f in container.decode(video=0)]
    if not frames:
        raise RuntimeError(f"{video}: no video frames")
    out_dir.mkdir(parents=True, exist_ok=True)
    for i in range(num_frames):
        frames[min(len(frames) - 1, int(i * len(frames) / num_frames))].save(
            out_dir / f"{video.stem}_frame{i + 1:04d}.jpg", quality=95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=dataset("favdbench"))
    parser.add_argument("--weights", type=Path, default=weights_root())
    parser.add_argument("--videos", type=Path, help="folder of the raw clips, <split>/<vid>.mp4")
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    zipfile.ZipFile(io.BytesIO(download(RELEASE + "metadata.zip", FILES["metadata.zip"]))).extractall(args.root)
    tarfile.open(fileobj=io.BytesIO(download(RELEASE + "audio_hdf.tar", FILES["audio_hdf.tar"]))).extractall(args.root)
    for rel, url in WEIGHTS.items():
        path = args.weights / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(download(url, MD5.get(rel)))
    from transformers import AutoTokenizer, T5EncoderModel  # EntityScore's encoder, saved as a local folder

    AutoTokenizer.from_pretrained("t5-base").save_pretrained(args.weights / "t5-base")
    T5EncoderModel.from_pretrained("t5-base").save_pretrained(args.weights / "t5-base")
    # the EntityScore noun tagger of the original metric code (nltk's sentence splitter and POS tagger)
    import nltk

    for package in ("punkt_tab", "averaged_perceptron_tagger_eng"):
        nltk.download(package, quiet=True)
    if args.videos:
        for split in ("train", "val", "test"):
            for video in sorted((args.videos / split).glob("*.mp4")):
                extract_frames(video, args.root / "frames" / f"{split}-32frames")
                # the raw clips too, for data.eval_frames='video' (the original's inference route)
                link = args.root / "videos" / split / video.name
                link.parent.mkdir(parents=True, exist_ok=True)
                if not link.exists():
                    link.symlink_to(video.resolve())
    print(f"FAVDBench laid out under {args.root}; weights under {args.weights}")


if __name__ == "__main__":
    main()
