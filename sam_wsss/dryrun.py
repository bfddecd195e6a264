"""The dryrun profile: `full`'s exact path (`reproduce.pipeline`: the generate, evaluate and train commands with
the VOC config, Grounding DINO Swin-T OGC at 800 / 1333 px, DeepLab-v2 ResNet-101 at 321 px crops) on a generated
VOC tree of 500 x 375 images, with random weights written in the released files' formats and read through the
real loaders: the original Grounding DINO checkpoint ({"model": state_dict}, the key set and shapes recorded in
released/groundingdino_swint_ogc.json) through the converter, SAM's plain state dict through segment-anything,
torchvision's ResNet-101 file through mmengine. A few training steps; on CPU the batch is 1 and SAM is ViT-B
(sam_vit_b_01ec64.pth, the next-smaller official model: ViT-H's image encoder alone has 636M parameters), on a
GPU SAM is the paper's ViT-H and the batch the recipe's 10.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import torch

from shared import dryrun as measure
from shared.reproduce import Run
from shared.testing import seeded_state_dict

HERE = Path(__file__).resolve().parent
STEPS = 3  # DeepLab-v2 optimizer steps: the first is warm-up
TRAIN_AUG = 4  # generated train_aug images (the first 2 are also `train`, scored against the ground truth)
VAL = 2
RECIPE_IMAGES = 10582  # train_aug: the pseudo-label step runs once per image
RECIPE_BATCH, RECIPE_STEPS = 10, 20000
# torchvision's ResNet-101 (44,549,160 with its 1000-class head) + four 3x3 ASPP branches 2048 -> 21 with bias
DEEPLAB_V2_R101 = 44_549_160 - 2_049_000 + 4 * (2048 * 9 * 21 + 21)
GROUNDING_DINO_T = 172_000_000  # Grounding DINO paper, model table (Swin-T); rounded
SAM_PARAMETERS = {"vit_h": 641_090_608, "vit_b": 93_735_472}  # segment-anything's models, counted on meta


def write_tokenizer(folder: Path) -> Path:
    """bert-base-uncased's vocab.txt layout: 30,522 entries, its special-token ids ([PAD] 0, [UNK] 100, [CLS] 101,
    [SEP] 102, [MASK] 103, "." 1012), the class words of the prompts after them."""
    from sam_wsss.model import _FIXED_IDS, _TINY_WORDS

    vocab = [_FIXED_IDS.get(i, f"[unused{i}]") for i in range(1030)] + list(_TINY_WORDS)
    vocab += [f"[unused{i}]" for i in range(len(vocab), 30522)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True}) + "\n")
    return folder


def write_grounding_dino(path: Path, seed: int = 0) -> Path:
    spec = json.loads((HERE / "released" / "groundingdino_swint_ogc.json").read_text())["keys"]
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": seeded_state_dict(spec, seed)}, path)
    return path


def write_sam(path: Path, kind: str, seed: int = 0) -> Path:
    from segment_anything import sam_model_registry

    torch.manual_seed(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(sam_model_registry[kind]().state_dict(), path)
    return path


def write_resnet101(path: Path, seed: int = 0) -> Path:
    """torchvision's resnet101-63fe2227.pth layout: a plain state dict, no num_batches_tracked."""
    from torchvision.models import resnet101

    return measure.write_torchvision_weights(resnet101, path, seed)


def write_voc(data: Path) -> Path:
    from sam_wsss.synthetic import write_tiny_voc

    voc = write_tiny_voc(data, n_train=TRAIN_AUG, n_val=VAL, size=(375, 500), seed=0)
    segmentation = voc / "ImageSets" / "Segmentation"
    ids = segmentation.joinpath("train.txt").read_text().split()
    segmentation.joinpath("train_aug.txt").write_text("".join(i + "\n" for i in ids))
    segmentation.joinpath("train.txt").write_text("".join(i + "\n" for i in ids[:2]))
    (voc / "cls_labels.npy").unlink()  # the full config reads the XML annotations
    return voc


def _mmengine_step_times(work_dir: Path) -> list[float]:
    rows = [json.loads(line) for f in sorted(work_dir.glob("*/vis_data/scalars.json"))
            for line in f.read_text().splitlines() if line.strip()]
    times = [r["time"] for r in rows if "time" in r and "loss" in r]
    return times[1:] or times


def dryrun(run: Run, extra: tuple[str, ...] = (), sam_kind: str | None = None) -> dict:
    from sam_wsss.model import build_model
    from sam_wsss.reproduce import pipeline
    from shared.config import load_config

    cuda = torch.cuda.is_available()
    sam_kind = sam_kind or ("vit_h" if cuda else "vit_b")
    sam_file = {"vit_h": "sam_vit_h_4b8939.pth", "vit_b": "sam_vit_b_01ec64.pth"}[sam_kind]
    data, weights = (run.out / "data").resolve(), (run.out / "weights").resolve()
    with run.step("write a VOC tree of 500x375 images in the official layout"):
        write_voc(data)
    with run.step("write random weights in the released files' formats"):
        write_tokenizer(weights / "bert-base-uncased")
        write_grounding_dino(weights / "groundingdino" / "groundingdino_swint_ogc.pth")
        write_sam(weights / "sam" / sam_file, sam_kind)
        write_resnet101(weights / "torchvision" / "resnet101-63fe2227.pth")
    # the configs read both roots when they are built, here and in every command the pipeline runs
    os.environ["REPRO_DATA"], os.environ["REPRO_WEIGHTS"] = str(data), str(weights)
    batch = RECIPE_BATCH if cuda else 1
    overrides = [f"pseudo.segmenter.kind={sam_kind}", f"pseudo.segmenter.weights={weights / 'sam' / sam_file}",
                 "pseudo.overlays=2", f"train.max_steps={STEPS}", f"train.val_interval={STEPS}",
                 f"train.batch_size={batch}", "train.num_workers=0", *extra]
    start = time.perf_counter()
    result = pipeline(run, HERE / "configs" / "voc.py", overrides)
    cfg = load_config(HERE / "configs" / "voc.py")
    with torch.device("meta"):
        deeplab = sum(p.numel() for p in build_model(cfg).parameters())
    device = "cuda" if cuda else "cpu"
    per_image = result["seconds"]["generate"] / TRAIN_AUG
    rows = [
        measure.row(f"pseudo labels: Grounding DINO Swin-T OGC + SAM {sam_kind}, one image (model loading included)",
                    device, GROUNDING_DINO_T + SAM_PARAMETERS[sam_kind], [per_image], 1, 1, RECIPE_IMAGES,
                    reference_parameters=GROUNDING_DINO_T + SAM_PARAMETERS["vit_h"],
                    reference_source="Grounding DINO paper (Swin-T, 172M) + SAM ViT-H (segment-anything)",
                    notes="one process; the generate command's wall time over the images, loading included"),
        measure.row("DeepLab-v2 ResNet-101 on the pseudo labels, one step", device, deeplab,
                    _mmengine_step_times(run.out / "deeplabv2"), batch, RECIPE_BATCH, RECIPE_STEPS,
                    reference_parameters=DEEPLAB_V2_R101,
                    reference_source="torchvision ResNet-101 trunk + 4 ASPP branches (DeepLab-v2)"),
    ]
    return {"rows": rows, "val_miou": result["ours"], "miou_rule": result["miou_rule"],
            "pseudo_label_miou": result["pseudo_label_miou"], "seconds": round(time.perf_counter() - start, 1)}
