"""Make model_golden.pt: the original XVIT (lvit_v2 + shifts + VVTHead) on seeded weights of order-1 outputs.

    python tests/video_linear/golden/make_golden_model.py --original /path/to/Linear_VideoTransformer

Copies `slowfast/models/{temporal_shift,head_helper}.py` and `slowfast/models/transformers/{lvit_v2,
linear_block_v2,transformer_block,orthoformer}.py` of OpenNLPLab/Linear_VideoTransformer (commit 185d74a) into
a scratch package `orig` (its `transformers/__init__.py` exports only `LinearChangeVisionTransformer` and a
placeholder `VisionTransformer`), builds the model as `XVIT._prepare_base_model` / `_prepare_classifier` and
the VVTHead do, at the tiny sizes of golden.pt (24 px, patch 8 / stride 7, embed 16, 2 heads, MLP 2x, 2
blocks, temporal embedding of 4 rows, NUM_SEGMENTS 4, 8-frame clips, head 16 -> 24 -> 5), fills it with
`shared.testing.seeded_state_dict` (fan-in scaled, so logits are of order 1), and runs `XVIT.forward`'s
steps in eval mode; also the temporal shift alone with SSv2's SHIFT_DIV 4 over 16 frames. Variants: `full` (separate q/k gates, both shifts) and `small_gates` (the same weights
with every gate bias at -6, so the attention normaliser's eps is visible in the output). Saved in the
original key layout (`base_model.*`, `consensus.*`), with the input clip. The original code is not part of
this repository.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import torch
from torch import nn

from shared.testing import seeded_state_dict, state_dict_spec

HERE = Path(__file__).resolve().parent
FILES = {"slowfast/models/temporal_shift.py": "temporal_shift.py", "slowfast/models/head_helper.py": "head_helper.py",
         **{f"slowfast/models/transformers/{n}.py": f"transformers/{n}.py"
            for n in ("lvit_v2", "linear_block_v2", "transformer_block", "orthoformer")}}


def scratch_package(original: Path) -> Path:
    root = Path(tempfile.mkdtemp(prefix="lvt_golden_"))
    pkg = root / "orig"
    (pkg / "transformers").mkdir(parents=True)
    for src, dst in FILES.items():
        shutil.copy(original / src, pkg / dst)
    (pkg / "__init__.py").write_text("")
    (pkg / "transformers" / "__init__.py").write_text(
        "class VisionTransformer:  # placeholder: temporal_shift imports the name only\n    pass\n\n\n"
        "from .lvit_v2 import LinearChangeVisionTransformer\n")
    sys.path.insert(0, str(root))
    return root


class XVITTiny(nn.Module):
    """XVIT's modules under their names (`base_model`, `consensus`) and its forward for CONSENSUS_TYPE 'vit'."""

    def __init__(self, share_gate: bool) -> None:
        super().__init__()
        from orig.head_helper import VVTHead
        from orig.temporal_shift import make_spatial_shift, make_temporal_shift
        from orig.transformers.lvit_v2 import LinearChangeVisionTransformer

        self.base_model = LinearChangeVisionTransformer(
            img_size=24, patch_size=8, stride=7, embed_dim=16, depth=2, num_heads=2, mlp_ratio=2.0, num_frames=4,
            num_classes=1000, norm_layer=partial(nn.LayerNorm, eps=1e-6), attention_type="divided_time_space",
            use_cgate=True, share_gate=share_gate, linear_type="relu")
        self.base_model.head = nn.Dropout(0.5)
        make_temporal_shift(self.base_model, 4, n_div=8, locations_list=[0, 1])
        make_spatial_shift(self.base_model, 16, n_div=8, locations_list=[0, 1], shift_size=1)
        cfg = SimpleNamespace(TEMPORAL_HEAD=SimpleNamespace(HIDDEN_DIM=16, MLP_DIM=24),
                              MODEL=SimpleNamespace(DROPOUT_RATE=0.5, NUM_CLASSES=5))
        self.consensus = VVTHead(16, cfg)

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        b, c, f, h, w = video.shape
        x = video.transpose(1, 2).contiguous().view(-1, 3, h, w)
        out = self.base_model(x, num_frames=f).view(b, f, -1)
        return self.consensus(out, None, f)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--original", type=Path, required=True)
    args = parser.parse_args()
    scratch = scratch_package(args.original)
    torch.manual_seed(123)
    video = torch.randn(2, 3, 8, 24, 24)
    out = {"video": video}
    for name, share_gate in (("full", False),):
        model = XVITTiny(share_gate).eval()
        state = seeded_state_dict(state_dict_spec(model.state_dict()), seed=7)
        model.load_state_dict(state)
        with torch.no_grad():
            out[f"{name}/logits"] = model(video)
        out[f"{name}/state"] = state
        small = {k: (torch.full_like(v, -6.0) if "gate" in k and k.endswith("bias") else v) for k, v in state.items()}
        model.load_state_dict(small)
        with torch.no_grad():
            out["small_gates/logits"] = model(video)
        out["small_gates/state"] = small
    # SSv2's SHIFT_DIV 4: the temporal shift on its own, (b t), heads, tokens, dim as the original holds it
    from orig.temporal_shift import TemporalShift

    torch.manual_seed(5)
    x = torch.randn(32, 2, 16, 8)
    out["tshift4/x"], out["tshift4/y"] = x, TemporalShift(nn.Identity(), n_segment=16, n_div=4)(x)
    torch.save(out, HERE / "model_golden.pt")
    shutil.rmtree(scratch)
    print({k: float(v.abs().max()) for k, v in out.items() if k.endswith("logits")})


if __name__ == "__main__":
    main()
