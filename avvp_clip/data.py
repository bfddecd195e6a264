"""Readers for the LLP (Look, Listen and Parse) dataset in the layout of YapengTian/AVVP-ECCV20.

    data/AVVP_train.csv, AVVP_val_pd.csv, AVVP_test_pd.csv   tab-separated: filename, event_labels ("Dog,Speech")
    data/AVVP_eval_audio.csv, AVVP_eval_visual.csv           tab-separated: filename, onset, offset, event_labels
    feats/vggish/<id>.npy        (10, 128)   audio, one VGGish embedding per second
    feats/res152/<id>.npy        (80, 2048)  ResNet-152 of frames sampled at 8 fps
    feats/r2plus1d_18/<id>.npy   (10, 512)   R(2+1)D-18 per 1-second snippet
    feats/clip/<id>.npy          (10, 25)    CLIP class probabilities per second (written by avvp_clip.clip_labels)

`<id>` is the first 11 characters of `filename` (the YouTube id; filenames are `<id>_<start>_<end>`),
as in the original dataloader.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

from avvp_clip.config import NUM_SEGMENTS, FeatureLayout

CATEGORIES = (
    "Speech", "Car", "Cheering", "Dog", "Cat", "Frying_(food)", "Basketball_bounce", "Fire_alarm", "Chainsaw",
    "Cello", "Banjo", "Singing", "Chicken_rooster", "Violin_fiddle", "Vacuum_cleaner", "Baby_laughter", "Accordion",
    "Lawn_mower", "Motorcycle", "Helicopter", "Acoustic_guitar", "Telephone_bell_ringing", "Baby_cry_infant_cry",
    "Blender", "Clapping",
)
CLASS_INDEX = {name: i for i, name in enumerate(CATEGORIES)}


def video_id(filename: str) -> str:
    return filename[:11]


def _read_tsv(path: str | Path, columns: tuple[str, ...]) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found (expected a tab-separated LLP annotation file)")
    df = pd.read_csv(path, sep="\t", header=0, dtype={"filename": str, "event_labels": str})
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected tab-separated columns {list(columns)}, "
                         f"found {list(df.columns)}")
    return df


def _class_ids(labels: str, path: Path, row: int) -> list[int]:
    if not isinstance(labels, str) or not labels.strip():
        raise ValueError(f"{path}, row {row + 2}: field 'event_labels' is empty; expected names such as 'Dog,Speech'")
    ids = []
    for name in labels.split(","):
        if name not in CLASS_INDEX:
            raise ValueError(f"{path}, row {row + 2}: field 'event_labels' has unknown class {name!r}; "
                             f"expected one of the 25 LLP classes ({', '.join(CATEGORIES[:3])}, ...)")
        ids.append(CLASS_INDEX[name])
    return ids


def read_video_labels(path: str | Path) -> tuple[list[str], np.ndarray]:
    """Filenames and video-level labels (N, 25) of AVVP_{train,val_pd,test_pd}.csv."""
    df = _read_tsv(path, ("filename", "event_labels"))
    labels = np.zeros((len(df), len(CATEGORIES)), dtype=np.float32)
    for i, text in enumerate(df["event_labels"]):
        labels[i, _class_ids(text, Path(path), i)] = 1.0
    return list(df["filename"]), labels


def read_segment_table(path: str | Path, filenames: list[str], num_segments: int = NUM_SEGMENTS
                       ) -> tuple[np.ndarray, list[int]]:
    """Dense labels (N, 25, T) of AVVP_eval_{audio,visual}.csv for `filenames` ([onset, offset) is positive), and
    the file rows (1-based, header = row 1) of those videos whose onset >= offset.

    The released AVVP_eval_audio.csv has such rows (onset == offset, and one with onset 9, offset 0);
    AVVP-ECCV20's evaluation (main_avvp.py `eval`) sets `GT[c, onset:offset] = 1`, an empty range for them,
    so they mark nothing here either.
    """
    df = _read_tsv(path, ("filename", "onset", "offset", "event_labels"))
    index = {name: i for i, name in enumerate(filenames)}
    gt = np.zeros((len(filenames), len(CATEGORIES), num_segments), dtype=np.int64)
    empty = []
    for row, (name, onset, offset, label) in enumerate(
            zip(df["filename"], df["onset"], df["offset"], df["event_labels"], strict=True)):
        if name not in index:
            continue  # the file covers val and test
        (cls,) = _class_ids(label, Path(path), row)
        try:
            on, off = int(onset), int(offset)
        except (TypeError, ValueError):
            raise ValueError(f"{path}, row {row + 2}: fields 'onset'/'offset' must be whole seconds, "
                             f"got {onset!r}/{offset!r}") from None
        if not (0 <= on <= num_segments and 0 <= off <= num_segments):
            raise ValueError(f"{path}, row {row + 2}: expected 0 <= onset < offset <= {num_segments} (onset >= offset "
                             f"is read as an empty range, as AVVP-ECCV20 does), got onset={on}, offset={off}")
        if on >= off:
            empty.append(row + 2)
            continue
        gt[index[name], cls, on:off] = 1
    return gt, empty


def read_segment_annotations(path: str | Path, filenames: list[str], num_segments: int = NUM_SEGMENTS) -> np.ndarray:
    """Dense labels (N, 25, T) of AVVP_eval_{audio,visual}.csv for `filenames`; says so when rows are empty ranges."""
    gt, empty = read_segment_table(path, filenames, num_segments)
    note_empty_rows(path, empty)
    return gt


def note_empty_rows(path: str | Path, rows: list[int]) -> None:
    """One log line naming the rows that `read_segment_table` read as empty ranges."""
    if rows:
        print(f"{path}: {len(rows)} row(s) with onset >= offset read as empty ranges, as AVVP-ECCV20's "
              f"evaluation does (rows {', '.join(map(str, rows))})")


def load_feature(folder: str | Path, filename: str, shape: tuple[int, ...], field: str) -> np.ndarray:
    path = Path(folder) / f"{video_id(filename)}.npy"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: {field} feature file not found for video {filename!r}")
    array = np.load(path)
    if tuple(array.shape) != tuple(shape):
        raise ValueError(f"{path}: {field} features must have shape {tuple(shape)}, got {tuple(array.shape)}")
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float32)
    return array.astype(np.float32, copy=False)


class LLPDataset(torch.utils.data.Dataset):
    """One LLP split: features, video-level labels and (optionally) segment-level visual pseudo labels.

    Items: {"audio" (10, 128), "visual" (80, 2048), "motion" (10, 512), "label" (25,), "index" ()}
    plus "pseudo" (10, 25) once `pseudo_labels` (N, 10, 25) is set. `preload` reads every file once.
    """

    def __init__(self, label_csv: str | Path, layout: FeatureLayout, preload: bool = False) -> None:
        self.filenames, self.labels = read_video_labels(label_csv)
        self.layout = layout
        self.pseudo_labels: np.ndarray | None = None
        self.empty_annotation_rows: dict[str, int] = {}  # set by train.load_split: rows read as empty ranges
        self.cache: list[dict[str, np.ndarray]] | None = None
        if preload:
            self.cache = [self._read(i) for i in range(len(self))]

    def __len__(self) -> int:
        return len(self.filenames)

    def _read(self, i: int) -> dict[str, np.ndarray]:
        name, lay = self.filenames[i], self.layout
        item = {
            "audio": load_feature(lay.audio_dir, name, lay.audio_shape, "audio (VGGish)"),
            "visual": load_feature(lay.visual_dir, name, lay.visual_shape, "visual (ResNet-152)"),
            "motion": load_feature(lay.motion_dir, name, lay.motion_shape, "motion (R(2+1)D)"),
        }
        return item

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        item = self.cache[i] if self.cache is not None else self._read(i)
        out = {k: torch.from_numpy(v) for k, v in item.items()}
        out["label"] = torch.from_numpy(self.labels[i])
        out["index"] = torch.tensor(i)
        if self.pseudo_labels is not None:
            out["pseudo"] = torch.from_numpy(self.pseudo_labels[i])
        return out

    def read_clip_probs(self) -> np.ndarray:
        """CLIP class probabilities of every video of the split, (N, 10, 25)."""
        lay = self.layout
        return np.stack([load_feature(lay.clip_dir, name, lay.clip_shape, "CLIP class probabilities")
                         for name in self.filenames])
