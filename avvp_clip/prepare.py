"""Prepare LLP in the layout `avvp_clip.data` reads (needs the network and, for CLIP, the videos).

    python -m avvp_clip.prepare --root data/llp --features-archive feats.zip \
        [--videos data/LLP_dataset/video --clip-checkpoint ViT-B-32.pt]

Official sources (YapengTian/AVVP-ECCV20):
1. annotations: `data/AVVP_{train,val_pd,test_pd,eval_audio,eval_visual}.csv` of
   https://github.com/YapengTian/AVVP-ECCV20 (cloned here with git unless `--annotations` names a checkout);
2. features: the "feats" folder (vggish/, res152/, r2plus1d_18/) of the archive linked in that README
   (https://drive.google.com/file/d/10CeaI1G9uIyz5dKnd7XTeH9-qOehC7CL/view); download it by hand and pass
   `--features-archive` (a .zip or .tar*);
3. CLIP probabilities (this paper): the videos (AVVP-ECCV20 scripts/download_dataset.py, from YouTube), decoded
   with PyAV by `avvp_clip.clip_labels` (the frame at t + 0.5 s of each second: frame 8t + 4 of the 8 fps frames
   that AVVP-ECCV20 scripts/extract_frames.py writes, which `clip_labels --frames` reads instead).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from avvp_clip.clip_labels import ClipScorer, extract
from avvp_clip.data import read_video_labels
from shared import paths

REPO = "https://github.com/YapengTian/AVVP-ECCV20"
CSVS = ("AVVP_train.csv", "AVVP_val_pd.csv", "AVVP_test_pd.csv", "AVVP_eval_audio.csv", "AVVP_eval_visual.csv")
FEATURES = ("vggish", "res152", "r2plus1d_18")


def copy_annotations(root: Path, checkout: Path | None) -> None:
    if checkout is None:
        checkout = Path(tempfile.mkdtemp()) / "AVVP-ECCV20"
        subprocess.run(["git", "clone", "--depth", "1", REPO, str(checkout)], check=True)
    for name in CSVS:
        src = checkout / "data" / name
        if not src.is_file():
            raise FileNotFoundError(f"{src}: annotation file missing in the AVVP-ECCV20 checkout")
        shutil.copy2(src, root / name)


def unpack_features(root: Path, archive: Path) -> None:
    if not archive.is_file():
        raise FileNotFoundError(f"{archive}: features archive not found (download it from the link in {REPO})")
    scratch = Path(tempfile.mkdtemp(dir=root))
    shutil.unpack_archive(str(archive), str(scratch))
    for name in FEATURES:
        found = next(scratch.rglob(name), None)
        if found is None or not found.is_dir():
            raise FileNotFoundError(f"{archive}: no '{name}' folder inside (expected feats/{name}/<id>.npy)")
        shutil.move(str(found), str(root / "feats" / name))
    shutil.rmtree(scratch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=paths.dataset("llp"), help="the LLP folder (default data/llp)")
    parser.add_argument("--annotations", type=Path, default=None, help="an AVVP-ECCV20 checkout (default: clone)")
    parser.add_argument("--features-archive", type=Path, default=None)
    parser.add_argument("--videos", type=Path, default=None, help="LLP videos (<filename>.mp4)")
    parser.add_argument("--clip-model", default="ViT-B-32")
    parser.add_argument("--clip-checkpoint", default=None, help="local CLIP weights file")
    args = parser.parse_args()
    root = args.root
    (root / "feats").mkdir(parents=True, exist_ok=True)
    copy_annotations(root, args.annotations)
    if args.features_archive is not None:
        unpack_features(root, args.features_archive)
    if args.videos is not None:
        if args.clip_checkpoint is None:
            raise SystemExit("--clip-checkpoint is needed to compute the CLIP probabilities (nothing is downloaded)")
        names = [n for csv in CSVS[:3] for n in read_video_labels(root / csv)[0]]
        extract(ClipScorer(args.clip_model, args.clip_checkpoint), None, names, root / "feats" / "clip",
                videos_root=args.videos)
    print(f"prepared LLP in {root}")


if __name__ == "__main__":
    main()
