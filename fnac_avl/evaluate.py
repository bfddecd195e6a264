"""Localisation metrics (cIoU, AUC) from a checkpoint or from saved heatmaps.

    python -m fnac_avl.evaluate --config fnac_avl/configs/flickr_10k.py --checkpoint RUN/checkpoints/step_X.pt
    python -m fnac_avl.evaluate --config ... --checkpoint best.pth       (an original checkpoint: converted on load)
    python -m fnac_avl.evaluate --predictions preds.npz                  (arrays `heatmaps`, `gt_maps`: N x 224 x 224)

    python -m fnac_avl.evaluate --config ... --checkpoint ... --object-weights resnet18-f37072fd.pth
        (also the original test.py's "Obj" and "AV_Obj" scores: object-guided maps, fnac_avl.object_guided)

Prints and writes JSON (`--out`); `--save-heatmaps` writes the first test set's heatmaps and gt maps (.npz). Heatmaps are the model's maps upsampled to 224 x 224 (bicubic, as the
original's train.py `validate`; `--set data.interpolation=bilinear` for test.py's `validate`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np
import torch

from fnac_avl.config import DataConfig
from fnac_avl.data import IMAGENET_MEAN, IMAGENET_STD, AudioVisualDataset, box_format, test_clips
from fnac_avl.metrics import localization_scores, upsample_maps


@torch.no_grad()
def predict(model: torch.nn.Module, dataset: AudioVisualDataset, batch_size: int = 32, interpolation: str = "bicubic",
            num_workers: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Heatmaps and ground-truth maps of every test clip, both (N, 224, 224)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=num_workers)
    heat, gts = [], []
    for batch in loader:
        maps = model.heatmaps(batch["image"].to(device), batch["spec"].to(device))  # b, h, w
        heat.append(upsample_maps(maps, interpolation).cpu().numpy())
        gts.append(batch["gt_map"].numpy())
    model.train(was_training)
    return np.concatenate(heat), np.concatenate(gts)


def evaluate_model(model: torch.nn.Module, dataset: AudioVisualDataset, batch_size: int = 32,
                   interpolation: str = "bicubic") -> dict[str, float]:
    return localization_scores(*predict(model, dataset, batch_size, interpolation))


def test_sets(cfg: DataConfig) -> dict[str, AudioVisualDataset]:
    """The reported test set first, then the extra list on its data, then the selection set (if any)."""
    sets = {cfg.testset: (cfg.test_root, cfg.test_csv, cfg.test_annotations)}
    if cfg.extra_testset:
        sets[cfg.extra_testset] = (cfg.test_root, cfg.extra_test_csv, cfg.test_annotations)
    if cfg.select_testset and cfg.select_testset not in sets:
        sets[cfg.select_testset] = (cfg.select_test_root, cfg.select_test_csv, cfg.select_test_annotations)
    return {name: AudioVisualDataset(test_clips(name, root, csv_path, annotations), train=False,
                                     image_size=cfg.image_size, box_format=box_format(name), cache=cfg.cache)
            for name, (root, csv_path, annotations) in sets.items()}


def evaluate_all(model: torch.nn.Module, sets: dict[str, AudioVisualDataset], cfg: DataConfig) -> dict[str, float]:
    out = {}
    for i, (name, ds) in enumerate(sets.items()):
        scores = evaluate_model(model, ds, cfg.eval_batch_size, cfg.interpolation)
        prefix = "" if i == 0 else f"{name}_"  # the first test set's metrics keep the plain names
        out.update({prefix + k: v for k, v in scores.items()})
    return out


def save_overlays(dataset: AudioVisualDataset, heatmaps: np.ndarray, gt_maps: np.ndarray, out_dir: str | Path,
                  count: int = 8, prefix: str = "") -> list[Path]:
    """PNG per clip: the test image, the normalised heatmap in the jet colour map blended over it (0.8/0.2
    as the original's visualisations), and the ground-truth box outlines in white."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import colormaps
    from PIL import Image, ImageDraw

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    mean, std = np.array(IMAGENET_MEAN), np.array(IMAGENET_STD)
    for i in range(min(count, len(dataset))):
        item = dataset[i]
        img = item["image"].permute(1, 2, 0).numpy() * std + mean
        img = np.asarray(Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8)).resize((224, 224)))
        h = heatmaps[i]
        h = (h - h.min()) / (h.max() - h.min() + 1e-12)
        jet = colormaps["jet"](h)[..., :3] * 255
        blend = Image.fromarray((0.8 * jet + 0.2 * img).astype(np.uint8))
        draw = ImageDraw.Draw(blend)
        for box in dataset.clips[i].boxes or []:
            draw.rectangle(box, outline=(255, 255, 255), width=2)
        both = Image.new("RGB", (448, 224))
        both.paste(Image.fromarray(img), (0, 0))
        both.paste(blend, (224, 0))
        path = out_dir / f"{prefix}{dataset.clips[i].id}.png"
        both.save(path)
        paths.append(path)
    return paths


def load_checkpoint_into(model: torch.nn.Module, path: str | Path) -> None:
    """Our trainer's checkpoint ({'model': ...}) or an original FNAC checkpoint (converted)."""
    from fnac_avl.convert import PREFIXES, convert_state_dict

    state = torch.load(path, map_location="cpu", weights_only=False)  # trusted: a run's own or the authors' file
    weights = state.get("model", state)
    if any(k.removeprefix("module.").startswith(tuple(PREFIXES)) for k in weights):
        weights = convert_state_dict(weights)
    model.load_state_dict(weights, strict=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", help="experiment config (for the test set and model); needed with --checkpoint")
    parser.add_argument("--checkpoint", type=Path)
    parser.add_argument("--predictions", type=Path, help=".npz with `heatmaps` and `gt_maps`, (N, 224, 224) each")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", type=Path, help="write the metrics here as JSON")
    parser.add_argument("--save-heatmaps", type=Path, help="write `heatmaps`, `gt_maps` of the first test set (.npz)")
    parser.add_argument("--object-weights", help="ImageNet ResNet-18 weights: add the Obj and AV_Obj scores")
    parser.add_argument("--alpha", type=float, default=0.4, help="weight of the AV map in AV_Obj (test.py --alpha)")
    args = parser.parse_args(argv)
    if args.predictions:
        with np.load(args.predictions) as f:
            for key in ("heatmaps", "gt_maps"):
                if key not in f:
                    raise SystemExit(f"error: {args.predictions}: array {key!r} missing; expected `heatmaps` and "
                                     "`gt_maps`, each (N, 224, 224)")
            results = {"all": localization_scores(f["heatmaps"], f["gt_maps"])}
    elif args.checkpoint and args.config:
        from fnac_avl.model import build_model
        from shared.config import apply_overrides, load_config, validate

        cfg = apply_overrides(load_config(args.config), args.overrides)
        validate(cfg)
        model = build_model(cfg)
        load_checkpoint_into(model, args.checkpoint)
        results = {}
        # the reported test sets only: the set training selected its checkpoint on is not needed here
        reported = dataclasses.replace(cfg.data, select_testset="")
        for i, (name, ds) in enumerate(test_sets(reported).items()):
            heat, gts = predict(model, ds, cfg.data.eval_batch_size, cfg.data.interpolation)
            results[name] = localization_scores(heat, gts)
            if args.object_weights:
                from fnac_avl.object_guided import fuse, objectness_maps, objectness_model

                obj = objectness_maps(objectness_model(args.object_weights), ds, cfg.data.eval_batch_size)
                results[name] = {"AV": results[name], "Obj": localization_scores(obj, gts),
                                 "AV_Obj": localization_scores(fuse(heat, obj, args.alpha), gts)}
            if args.save_heatmaps and i == 0:
                args.save_heatmaps.parent.mkdir(parents=True, exist_ok=True)
                np.savez_compressed(args.save_heatmaps, heatmaps=heat, gt_maps=gts)
    else:
        parser.error("give --predictions, or --config with --checkpoint")
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
