"""End-to-end reproduction: `make fnac_avl` (full) or `make fnac_avl PROFILE=smoke`.

    python -m fnac_avl.reproduce --profile {full,smoke} [--out DIR]

smoke: generates the colour/tone dataset, trains the small model on CPU, scores the trained and the untrained
model on the generated test set, and writes DIR/results.json (metric cIoU, ours, baseline, ...), results.md
(a table), loss.png (the training curve) and overlays/*.png (heatmaps over test images).
full: the paper's Flickr-SoundNet 10k experiment through torchrun on every local GPU; stops at once with the
prepare command when the data is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shared.launch import run, train_command
from shared.results import markdown_table, plot_metric

FULL_CONFIGS = ("flickr_10k", "vggss_10k")
MARGIN = 0.1  # the trained model must beat the untrained one by this much (cIoU, absolute)


def check_margin(results: dict) -> None:
    """Stop with an error when the smoke run did not clearly learn to localise."""
    gain = results["ours"] - results["baseline"]
    if gain < MARGIN or results["mean_cIoU"] <= results["untrained_mean_cIoU"]:
        sys.exit(f"error: the smoke run did not learn: cIoU {results['ours']:.3f} trained vs "
                 f"{results['baseline']:.3f} untrained (needs +{MARGIN}); mean cIoU {results['mean_cIoU']:.3f} "
                 f"vs {results['untrained_mean_cIoU']:.3f}")


def smoke(out: Path) -> dict:
    from fnac_avl.evaluate import predict, save_overlays
    from fnac_avl.train import run as train_run
    from shared.config import load_config

    cfg = load_config(Path(__file__).parent / "configs" / "smoke.py")
    if (out / "checkpoints").exists():
        sys.exit(f"error: {out} already holds a run; choose another --out or delete it")
    result = train_run(cfg, out, resume=False)
    model, tests = result["_model"], result["_tests"]
    test = next(iter(tests.values()))
    heat, gts = predict(model, test, cfg.data.eval_batch_size, cfg.data.interpolation)
    save_overlays(test, heat, gts, out / "overlays", count=8)
    results = json.loads((out / "results.json").read_text())
    rows = [{"model": "untrained", "cIoU": results["untrained_cIoU"], "AUC": results["untrained_AUC"],
             "mean cIoU": results["untrained_mean_cIoU"]},
            {"model": "trained", "cIoU": results["cIoU"], "AUC": results["AUC"], "mean cIoU": results["mean_cIoU"]}]
    table = markdown_table(rows)
    (out / "results.md").write_text(table + "\n")
    plot_metric([out], "train/loss", out / "loss.png")
    print(table)
    check_margin(results)
    return results


def full(out: Path) -> None:
    from fnac_avl.train import prepare_generated  # noqa: F401  (import check before a long run)
    from shared.config import load_config

    configs = Path(__file__).parent / "configs"
    for name in FULL_CONFIGS:
        cfg = load_config(configs / f"{name}.py")
        needed = [cfg.data.train_root, cfg.data.subset_list, cfg.data.test_root, cfg.data.test_csv,
                  cfg.data.test_annotations, cfg.model.image_weights]
        missing = [p for p in needed if p and not Path(p).exists()]
        if missing:
            sys.exit(f"error: {missing[0]} not found (data for {name}). Prepare it with:\n"
                     f"  python -m fnac_avl.prepare --root data/fnac --flickr-source DIR --vggsound-source DIR "
                     f"--original-repo PATH_TO_FNAC_AVL_CLONE\n(see fnac_avl/README.md)")
    for name in FULL_CONFIGS:
        run(train_command("fnac_avl.train", ["--config", str(configs / f"{name}.py"), "--run-dir", str(out / name)]))
    rows = []
    for name in FULL_CONFIGS:
        r = json.loads((out / name / "results.json").read_text())
        rows.append({"experiment": name, "cIoU": r.get("cIoU"), "AUC": r.get("AUC"),
                     "untrained cIoU": r.get("baseline")})
    table = markdown_table(rows)
    (out / "results.md").write_text(table + "\n")
    print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", choices=("full", "smoke"), default="full")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or Path("runs/fnac_avl") / args.profile
    if args.profile == "smoke":
        import shutil

        if args.out is None and out.exists():  # the default folder is a fresh run each time
            shutil.rmtree(out)
        smoke(out)
    else:
        full(out)


if __name__ == "__main__":
    main()
