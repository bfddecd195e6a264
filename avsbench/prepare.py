"""Prepare AVSBench-object for training.

AVSBench-object (S4 `Single-source/`, MS3 `Multi-sources/`) is distributed on request by its
authors (http://www.avlbench.opennlplab.cn/download, form linked from OpenNLPLab/AVSBench); it
cannot be downloaded by a script. Unpack it under data/avsbench/ so that
data/avsbench/Single-source/s4_meta_data.csv and data/avsbench/Multi-sources/ms3_meta_data.csv exist.
The release ships frames, masks and log-mel pickles; from WAV files alone:

    python -m avsbench.prepare log-mel --root data/avsbench/Single-source --setting s4
        writes s4_data/audio_log_mel/... from s4_data/audio_wav/... (official VGGish examples, 5 per clip)
    python -m avsbench.prepare check --root data/avsbench/Single-source --setting s4
        reads every clip of every split once and reports the first malformed file

Pretrained weights (the original's `pretrained_backbones/`, Google Drive link in its readme), under the
weights root: weights/torchvision/resnet50-19c8e357.pth, weights/pvt_v2/pvt_v2_b5.pth,
weights/vggish/vggish-10086976.pth (torchvggish).

This command writes only under the --root it is given (the log-mel pickles next to the WAVs).
"""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

from avsbench.data import AVSDataset, DataError, audio_path, clip_log_mel, read_clips

SPLITS = ("train", "val", "test")


def write_log_mels(root: str | Path, setting: str) -> int:
    root, count = Path(root), 0
    for split in SPLITS:
        for clip in read_clips(root, setting, split):
            wav = audio_path(root, setting, clip, "audio_wav")
            if not wav.is_file():
                raise DataError(f"{wav}: missing audio WAV (16 kHz, 16-bit PCM)")
            out = audio_path(root, setting, clip, "audio_log_mel")
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("wb") as f:
                pickle.dump(clip_log_mel(wav), f)
            count += 1
    return count


def check(root: str | Path, setting: str) -> dict[str, int]:
    sizes = {}
    for split in SPLITS:
        ds = AVSDataset(root, setting, split, image_size=None)
        for i in range(len(ds)):
            ds[i]
        sizes[split] = len(ds)
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("log-mel", "check"))
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--setting", choices=("s4", "ms3"), required=True)
    args = parser.parse_args(argv)
    if args.command == "log-mel":
        print(f"wrote {write_log_mels(args.root, args.setting)} log-mel files")
    else:
        print(check(args.root, args.setting))


if __name__ == "__main__":
    main()
