"""The dryrun profile: `full`'s exact path (the training command per dataset, the paper configs at 224 px with
ResNet-50 members and the 112 px policy, the weights converter, the evaluation, the results table) on generated
data in each dataset's official layout, with random ImageNet weights in torchvision's ResNet-50 file format, for
a few optimizer steps per stage. On CPU the batch is 2 (the recipe's 64); shapes are the paper's.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from multituning.data import DATASETS
from shared import dryrun as measure
from shared.reproduce import Run

NUM_CLASSES = {"fgvc_aircraft": 100, "dtd": 47, "stanford_cars": 196, "cifar10": 10, "fashion_mnist": 10}

RECIPE_BATCH = 64
# ResNet-50 (torchvision: 25,557,032 parameters with its 1000-class head) and SpotTune's agent without its output
# layer (1,164,448): the reference count of 3 members with a C-class head and a 3-way policy
RESNET50_TRUNK = 25_557_032 - 2048 * 1000 - 1000
POLICY_TRUNK = 1_164_448
STEPS = 2  # per stage: the first is warm-up, the second is timed
BATCH = 2
PHOTO_SIZE = (320, 240)  # generated JPEGs: larger than the 256 px resize, like the real photos


def write_torchvision_resnet50(path: Path, seed: int = 0) -> Path:
    """Random weights with the key set, shapes and format of torchvision's resnet50-0676ba61.pth (a plain state
    dict with the 1000-class `fc`, BatchNorm running statistics and no `num_batches_tracked`)."""
    from torchvision.models import resnet50

    return measure.write_torchvision_weights(resnet50, path, seed)


def write_datasets(root: Path) -> None:
    from multituning import synthetic

    synthetic.write_fgvc_aircraft(root / "fgvc_aircraft", size=PHOTO_SIZE)
    synthetic.write_dtd(root / "dtd", size=PHOTO_SIZE)
    synthetic.write_stanford_cars(root / "stanford_cars", size=PHOTO_SIZE)
    synthetic.write_cifar10(root / "cifar10", n_per_batch=4)
    synthetic.write_fashion_mnist(root / "fashion_mnist", n_train=12, n_test=4)


def overrides(datasets_steps: int = STEPS, batch: int = BATCH) -> list[str]:
    """A few steps at a small batch, every step logged (the step times come from the logs), no workers."""
    sets = []
    for stage in ("finetune", "policy.train"):
        sets += [f"{stage}.max_steps={datasets_steps}", f"{stage}.batch_size={batch}", f"{stage}.log_every=1",
                 f"{stage}.num_workers=0", f"{stage}.ckpt_every={datasets_steps}", f"{stage}.progress=false"]
    return sets + ["data.num_workers=0", "data.eval_batch_size=8"]


def dryrun(run: Run, datasets: tuple[str, ...] = DATASETS, steps: int = STEPS,
           extra: tuple[str, ...] = ()) -> dict:
    """`extra`: further --set overrides (the tests shrink the image size with them)."""
    from multituning.configs._common import RESNET50_WEIGHTS
    from multituning.model import build_model
    from shared.config import load_config
    from shared.launch import train_command

    data, weights = run.out / "data", run.out / "weights"
    with run.step("write generated datasets in the official layouts"):
        write_datasets(data)
    with run.step("write random weights in torchvision's ResNet-50 file format"):
        write_torchvision_resnet50(weights.joinpath(*RESNET50_WEIGHTS))
    env = {"REPRO_DATA": str(data.resolve()), "REPRO_WEIGHTS": str(weights.resolve())}
    device = "cuda" if torch.cuda.is_available() else "cpu"
    rows = []
    for name in datasets:
        run_dir = run.out / name
        config = Path(__file__).resolve().parent / "configs" / f"{name}.py"
        with run.step(f"{name}: members and policy at paper shapes, {steps} steps each"):
            run.sh(train_command("multituning.train", ["--config", str(config), "--run-dir", str(run_dir),
                                                       *[a for s in [*overrides(steps), *extra] for a in ("--set", s)]]),
                   env=env)
        results = json.loads((run_dir / "results.json").read_text())
        recipe = load_config(config)
        with torch.device("meta"):
            parameters = sum(p.numel() for p in build_model(recipe).parameters())
        times = [t for stage in sorted(run_dir.glob("finetune_*")) for t in measure.step_times_from_run(stage, BATCH)]
        rows.append(measure.row(
            f"{name}: one member's fine-tuning step", device, parameters, times, BATCH, RECIPE_BATCH,
            3 * recipe.finetune.max_steps + recipe.policy.train.max_steps,  # the paper config's, not the dryrun's
            reference_parameters=3 * (RESNET50_TRUNK + 2049 * NUM_CLASSES[name]) + POLICY_TRUNK + 257 * 3,
            reference_source="torchvision ResNet-50 trunk x 3 with a C-class head each + SpotTune's agent, K=3",
            notes="parameters: the 3 members and the policy; estimate: the 3 members' steps + the policy's "
                  "half-length stage, each at a member step's time (the policy step is cheaper)",
        ) | {"amf_accuracy": results["ours"], "standard_finetune": results["standard_finetune"]})
    return {"rows": rows}
