"""Lay out the official data as the configs read it (cannot run here: no network, no datasets).

    python -m fnac_avl.prepare --original-repo PATH/FNAC_AVL \
        [--flickr-source DIR] [--vggsound-source DIR] [--vggss-test-source DIR] [--imagenet-weights FILE]
        [--data-root data] [--weights-root weights]

Writes (under the shared data and weights roots, default data/ and weights/, or REPRO_DATA / REPRO_WEIGHTS):
    data/flickr_soundnet/{train,test} (links), data/flickr_soundnet/metadata/flickr_*.{txt,csv}
    data/vggsound/{train,vggss_test} (links), data/vggsound/metadata/vggss*.{txt,csv,json}
    weights/torchvision/resnet18-f37072fd.pth

Sources (the original README names them):
- metadata lists (flickr_10k.txt, flickr_144k.txt, vggss_10k.txt, vggss_144k.txt, vggss_heard.txt,
  flickr_test.csv, vggss_test.csv, vggss_heard_test.csv, vggss_unheard_test.csv, vggss.json): the
  `metadata/` folder of https://github.com/OpenNLPLab/FNAC_AVL, copied to each dataset's metadata/.
- Flickr-SoundNet: https://github.com/ardasnck/learning_to_localize_sound_source (training: one frame
  per video as frames/<id>.jpg and the audio as audio/<id>.wav, what the original's
  metadata/prepare_flickr_soundnet.py extracts from the SoundNet Flickr mp3s and frames; test: the 250
  annotated pairs as <id>.jpg/<id>.wav in one folder, boxes as Annotations/<id>.xml).
- VGG-Sound / VGG-SS: https://github.com/hche11/Localizing-Visual-Sounds-the-Hard-Way (training clips as
  frames/<id>.png + audio/<id>.wav; VGG-SS test clips likewise under vggss/test).
- ImageNet ResNet-18 weights for the image encoder: torchvision's resnet18-f37072fd.pth
  (https://download.pytorch.org/models/resnet18-f37072fd.pth).

Sources are linked (symlinks), not copied; each given folder is checked for the expected sub-folders.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from fnac_avl.config import IMAGENET_RESNET18
from shared import paths

METADATA = ("flickr_10k.txt", "flickr_144k.txt", "vggss_10k.txt", "vggss_144k.txt", "vggss_heard.txt",
            "flickr_test.csv", "vggss_test.csv", "vggss_heard_test.csv", "vggss_unheard_test.csv", "vggss.json")


def _link(src: Path, dst: Path, expect: tuple[str, ...]) -> None:
    for sub in expect:
        if not (src / sub).exists():
            sys.exit(f"error: {src / sub} not found; expected {src} to hold {', '.join(expect)}")
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists() or dst.is_symlink():
        dst.unlink() if dst.is_symlink() else sys.exit(f"error: {dst} exists and is not a link; remove it first")
    dst.symlink_to(src.resolve(), target_is_directory=True)
    print(f"{dst} -> {src}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-root", type=Path, default=None, help="default $REPRO_DATA or data")
    parser.add_argument("--weights-root", type=Path, default=None, help="default $REPRO_WEIGHTS or weights")
    parser.add_argument("--original-repo", type=Path, required=True, help="a clone of OpenNLPLab/FNAC_AVL")
    parser.add_argument("--flickr-source", type=Path, help="folder with train/{frames,audio} and test/Annotations")
    parser.add_argument("--vggsound-source", type=Path, help="frames/ and audio/ of the VGG-Sound training clips")
    parser.add_argument("--vggss-test-source", type=Path, help="frames/ and audio/ of the VGG-SS test clips")
    parser.add_argument("--imagenet-weights", type=Path, help="torchvision resnet18-f37072fd.pth")
    args = parser.parse_args(argv)
    data_root = args.data_root or paths.data_root()
    flickr, vgg = data_root / "flickr_soundnet", data_root / "vggsound"
    for name in METADATA:
        src = args.original_repo / "metadata" / name
        if not src.is_file():
            sys.exit(f"error: {src} not found; expected the original repository's metadata/{name}")
        meta = (flickr if name.startswith("flickr") else vgg) / "metadata"
        meta.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, meta / name)
    print(f"copied {len(METADATA)} metadata files to {flickr / 'metadata'} and {vgg / 'metadata'}")
    if args.flickr_source:
        _link(args.flickr_source / "train", flickr / "train", ("frames", "audio"))
        _link(args.flickr_source / "test", flickr / "test", ("Annotations",))
    if args.vggsound_source:
        _link(args.vggsound_source, vgg / "train", ("frames", "audio"))
    if args.vggss_test_source:
        _link(args.vggss_test_source, vgg / "vggss_test", ("frames", "audio"))
    if args.imagenet_weights:
        target = (args.weights_root or paths.weights_root()).joinpath(*IMAGENET_RESNET18)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.imagenet_weights, target)
        print(f"copied {args.imagenet_weights} to {target}")


if __name__ == "__main__":
    main()
