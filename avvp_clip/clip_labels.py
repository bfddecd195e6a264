"""CLIP class probabilities for every 1-second visual segment of LLP videos (input of the pseudo labels).

    python -m avvp_clip.clip_labels --frames data/LLP_dataset/frame --csv data/AVVP_train.csv \
        --out data/feats/clip --model ViT-B-32 --pretrained /path/to/ViT-B-32.pt
    python -m avvp_clip.clip_labels --videos data/LLP_dataset/video --csv ... --out ...   # decode the .mp4 files

Reads the frames that AVVP-ECCV20's scripts/extract_frames.py writes (`frame/<filename>/000001.jpg`,
8 fps), or decodes `<filename>.mp4` with PyAV, takes one frame per second (the middle one, by default),
embeds it with the CLIP image encoder,
and compares it with the text embeddings of one prompt per class ("A photo of <class>."):
probabilities = softmax(logit_scale * cosine similarity) over the 25 classes. Writes `<out>/<id>.npy`
(10, 25) per video, and with `--embeddings DIR` the normalised frame embeddings `DIR/<id>.npy` (10, D). Thresholding and the video-label mask are applied at training time
(`avvp_clip.pseudo_labels.generate`), so a threshold can change without running CLIP again.

`--pretrained` is a local checkpoint file (nothing is downloaded); without it the model is randomly
initialised, which is only useful for tests.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from avvp_clip.config import CLIP_DEFAULTS
from avvp_clip.data import CATEGORIES, NUM_SEGMENTS, read_video_labels, video_id

PROMPT = CLIP_DEFAULTS["prompt"]
FRAMES_PER_SECOND = 8


def class_prompts(categories: tuple[str, ...] = CATEGORIES, template: str = PROMPT) -> list[str]:
    """'Frying_(food)' -> 'A photo of Frying (food).'"""
    return [template.format(name.replace("_", " ")) for name in categories]


def video_frames(path: str | Path, num_segments: int = NUM_SEGMENTS, position: float = 0.5) -> list[Image.Image]:
    """One decoded frame per second of a video: the frame nearest to `t + position` seconds."""
    import av

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: video file not found")
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [(float(f.pts * stream.time_base), f.to_image()) for f in container.decode(stream)]
    if not frames:
        raise ValueError(f"{path}: no video frames could be decoded")
    times = np.array([t for t, _ in frames])
    return [frames[int(np.abs(times - (t + position)).argmin())][1] for t in range(num_segments)]


def segment_frames(frame_dir: str | Path, num_segments: int = NUM_SEGMENTS, fps: int = FRAMES_PER_SECOND,
                   offset: int = FRAMES_PER_SECOND // 2) -> list[Path]:
    """One frame per second: frame `fps * t + offset` (clamped to the last frame) of the sorted JPEGs."""
    frames = sorted(Path(frame_dir).glob("*.jpg"))
    if not frames:
        raise FileNotFoundError(f"{frame_dir}: no .jpg frames (expected the output of extract_frames.py at {fps} fps)")
    return [frames[min(fps * t + offset, len(frames) - 1)] for t in range(num_segments)]


class ClipScorer:
    """An open_clip model with the class-prompt embeddings computed once."""

    def __init__(self, model_name: str = "ViT-B-32", pretrained: str | None = None, device: str = "cpu",
                 categories: tuple[str, ...] = CATEGORIES, template: str = PROMPT) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import open_clip

        if pretrained is not None and not Path(pretrained).is_file():
            raise FileNotFoundError(f"--pretrained {pretrained}: expected a local open_clip/OpenAI CLIP checkpoint file")
        self.model, _, self.preprocess = open_clip.create_model_and_transforms(
            model_name, pretrained=pretrained, device=device)
        self.model.eval()
        self.device = device
        tokens = open_clip.get_tokenizer(model_name)(class_prompts(categories, template)).to(device)
        with torch.no_grad():
            text = self.model.encode_text(tokens)
        self.text = text / text.norm(dim=-1, keepdim=True)  # C, D

    @torch.no_grad()
    def embed(self, images: list[Image.Image]) -> torch.Tensor:
        """(T, D) normalised CLIP image embeddings."""
        pixels = torch.stack([self.preprocess(im.convert("RGB")) for im in images]).to(self.device)
        image = self.model.encode_image(pixels)
        return image / image.norm(dim=-1, keepdim=True)

    @torch.no_grad()
    def probabilities(self, images: list[Image.Image] | None = None, embeddings: torch.Tensor | None = None
                      ) -> torch.Tensor:
        """(T, C) softmax over classes of logit_scale * cos(image, prompt)."""
        image = self.embed(images) if embeddings is None else embeddings
        logits = self.model.logit_scale.exp() * image @ self.text.T
        return logits.softmax(dim=-1).float().cpu()


def extract(scorer: ClipScorer, frames_root: str | Path | None, filenames: list[str], out_dir: str | Path,
            overwrite: bool = False, videos_root: str | Path | None = None,
            embeddings_dir: str | Path | None = None, position: float = 0.5) -> int:
    """Write `<out_dir>/<id>.npy` (10, C) for each video (from its frame folder under `frames_root`, or its
    `<filename>.mp4` under `videos_root`), from the frame at t + `position` seconds of each second t;
    returns the number written."""
    if not 0.0 <= position < 1.0:
        raise ValueError(f"frame position: expected seconds in [0, 1), got {position}")
    if (frames_root is None) == (videos_root is None):
        raise ValueError("give exactly one of frames_root and videos_root")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if embeddings_dir is not None:
        Path(embeddings_dir).mkdir(parents=True, exist_ok=True)
    written = 0
    for name in filenames:
        target = out_dir / f"{video_id(name)}.npy"
        if target.exists() and not overwrite:
            continue
        if videos_root is not None:
            images = video_frames(Path(videos_root) / f"{name}.mp4", position=position)
        else:
            offset = int(position * FRAMES_PER_SECOND)
            images = [Image.open(p) for p in segment_frames(Path(frames_root) / name, offset=offset)]
        embeddings = scorer.embed(images)
        if embeddings_dir is not None:
            np.save(Path(embeddings_dir) / f"{video_id(name)}.npy", embeddings.float().cpu().numpy())
        np.save(target, scorer.probabilities(embeddings=embeddings).numpy().astype(np.float32))
        written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--frames", type=Path, help="folder of per-video frame folders (8 fps)")
    source.add_argument("--videos", type=Path, help="folder of <filename>.mp4 videos")
    parser.add_argument("--csv", type=Path, required=True, action="append", help="LLP label CSV(s) naming the videos")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--embeddings", type=Path, default=None, help="also write the frame embeddings here")
    # the paper's CLIP details could not be checked: model, prompt and frame are flags (defaults: our choice)
    parser.add_argument("--model", default=CLIP_DEFAULTS["model"])
    parser.add_argument("--prompt", default=CLIP_DEFAULTS["prompt"], help="class prompt, {} = the class name")
    parser.add_argument("--frame-position", type=float, default=CLIP_DEFAULTS["frame_position"],
                        help="which frame of each second: t + this many seconds")
    parser.add_argument("--pretrained", default=None, help="local CLIP checkpoint file")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    names = [n for csv in args.csv for n in read_video_labels(csv)[0]]
    if "{}" not in args.prompt:
        parser.error(f"--prompt {args.prompt!r}: expected a template with {{}} for the class name")
    scorer = ClipScorer(args.model, args.pretrained, args.device, template=args.prompt)
    count = extract(scorer, args.frames, names, args.out, args.overwrite, args.videos, args.embeddings,
                    position=args.frame_position)
    print(f"wrote {count} files to {args.out}")


if __name__ == "__main__":
    main()
