"""What the dryrun profile puts in place of the real data and weights, per paper config.

Data in each dataset's official layout at the sizes the original reads (Kinetics at its 256-short-side
re-encode, SSv2 240 px VP9 .webm, Charades 256 px JPEG frames), one or two videos per split; pretrained
weights as random tensors in the released files' layouts (`weights.py`), for the real loaders to convert.
"""

from __future__ import annotations

from pathlib import Path

from shared.config import apply_overrides, load_config
from shared.reproduce import Run
from video_linear.configs._common import IMAGE21K, K400_FOR_CHARADES
from video_linear.synthetic import write_charades_layout, write_kinetics_layout, write_ssv2_layout
from video_linear.weights import write_released_layout

COUNTS = {"train": 2, "val": 1, "test": 1}


def prepare_dryrun(run: Run, name: str, config: Path, overrides: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """(data root, init file) for experiment `name`, written under the run folder."""
    cfg = apply_overrides(load_config(config), list(overrides))
    dataset = cfg.data.dataset
    folder = {"kinetics": "kinetics400" if cfg.model.num_classes == 400 else "kinetics600"}.get(dataset, dataset)
    root = run.out / "data" / folder
    if not root.is_dir():
        with run.step(f"generate {folder} layout"):
            if dataset == "ssv2":
                write_ssv2_layout(root, COUNTS, cfg.model.num_classes)
            elif dataset == "charades":
                write_charades_layout(root, COUNTS, cfg.model.num_classes)
            else:
                write_kinetics_layout(root, COUNTS, cfg.model.num_classes)
    if cfg.init.source == "video":  # Charades: a K400 checkpoint of the original with one shared gate
        init = run.out / "weights" / K400_FOR_CHARADES[0] / K400_FOR_CHARADES[1]
        layout = "k400_video_shared_gate"
    else:
        init = run.out / "weights" / IMAGE21K[0] / IMAGE21K[1]
        layout = "image21k"
    if not init.is_file():
        with run.step(f"write random {layout} weights in the released layout"):
            write_released_layout(layout, init)
    return root, init
