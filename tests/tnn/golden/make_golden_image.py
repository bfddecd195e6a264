"""Golden outputs of the original TNN image classifier (`image_classifier.pt`).

    python tests/tnn/golden/make_golden_image.py OPENNLPLAB_IM_GIT_DIR

Runs OpenNLPLab/im at commit 336fb23 (read with `git archive` from OPENNLPLAB_IM_GIT_DIR, a clone or bare
mirror): `classification/models/tnn_1d`'s `TNNVit` with the settings of `tnn_vit_e3g1_tiny_rpe_l1_90_prenorm`
(no positions, GTU x3, GLU x1, RPE of 1 layer, decay 0.9, pre-norm) shrunk to 32 px images, 8 px patches,
width 16, 2 layers, RPE width 8 and 10 classes. Weights: `shared.testing.seeded_state_dict` of its state dict
layout (seed 0; the frozen decay keeps 0.9); input: `torch.randn(2, 3, 32, 32)` after `torch.manual_seed(1)`.
Only the `models.tnn_1d` package is imported (its siblings need other dependencies). Needs timm and einops.
Saves the state dict in the original key layout, the images and the logits.
"""

from __future__ import annotations

import importlib
import logging
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from shared.testing import seeded_state_dict, state_dict_spec  # noqa: E402

COMMIT = "336fb23"
SETTINGS = dict(img_size=32, patch_size=8, embed_dim=16, num_heads=1, rpe_embdding=8, rpe_act="relu", glu_act="silu",
                glu_dim=16, expand_ratio=3, depth=2, use_pos=False, rpe_layers=1, use_decay=True, gamma=0.9,
                prenorm=True, num_classes=10)


def main() -> None:
    git_dir = Path(sys.argv[1])
    logging.disable(logging.CRITICAL)  # the original logs every constructor argument
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "--git-dir", str(git_dir), "archive", COMMIT, "classification/models"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        sys.path.insert(0, str(Path(tmp) / "classification"))
        package = types.ModuleType("models")
        package.__path__ = [str(Path(tmp) / "classification" / "models")]
        sys.modules["models"] = package
        model_vit = importlib.import_module("models.tnn_1d.model_vit")
        model = model_vit.TNNVit(**SETTINGS).eval()
        state = seeded_state_dict(state_dict_spec(model.state_dict()), seed=0)
        state = {k: torch.full_like(v, 0.9) if k.endswith("gamma") else v for k, v in state.items()}
        model.load_state_dict(state, strict=True)
        torch.manual_seed(1)
        images = torch.randn(2, 3, 32, 32)
        with torch.no_grad():
            logits = model(images)
    out = Path(__file__).parent / "image_classifier.pt"
    torch.save({"settings": SETTINGS, "state_dict": state, "images": images, "logits": logits}, out)
    print(f"wrote {out}: logits max |.| {logits.abs().max():.3f}")


if __name__ == "__main__":
    main()
