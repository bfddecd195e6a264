"""The state-dict layout of the original TNN block without decay (`no_decay_keys.json`).

    python tests/tnn/golden/make_golden_no_decay_keys.py FAIRSEQ_EVO_GIT_DIR

Builds OpenNLPLab/fairseq-evo's `GtuV2` (fairseq/modules/tnn/gtu_v2.py, commit 38fa81f2, read with `git show`
from FAIRSEQ_EVO_GIT_DIR) as `tnn_v2_no_decay` and `tnn_v2_decay_99_pre` configure it (use_decay 0 / 1;
width 16, 1 head, expand 3, causal, RPE 6 x 8), and records each state dict's keys and shapes: what the
converter must load for a real `tnn_v2_no_decay` checkpoint. The original files (gtu_v2.py, tno.py, rpe.py,
helpers.py, rms_norm.py, act_layer.py) are copied into a temporary folder, their package-relative imports
pointed at each other; nothing of them is kept. Needs einops and fairseq-fixed 0.12.3.1.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for its helpers (a site package is named `tests`)

from original_code import scratch_package  # noqa: E402

COMMIT = "38fa81f2"
FILES = {
    "rms_norm.py": "fairseq/modules/norm/rms_norm.py",
    "helpers.py": "fairseq/modules/helpers/helpers.py",
    "act_layer.py": "fairseq/modules/others/act_layer.py",
    "rpe.py": "fairseq/modules/tnn/rpe.py",
    "tno.py": "fairseq/modules/tnn/tno.py",
    "gtu_v2.py": "fairseq/modules/tnn/gtu_v2.py",
}
IMPORTS = [
    (r"from \.\.norm import [^\n]+", "from .rms_norm import GatedRMSNorm, RMSNorm, SimpleRMSNorm\nScaleNorm = None"),
    (r"from \.\.helpers import", "from .helpers import"),
    (r"from \.\.others import ActLayer", "from .act_layer import ActLayer"),
]


def main() -> None:
    git_dir = Path(sys.argv[1])
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        gtu_v2 = scratch_package(git_dir, COMMIT, FILES, IMPORTS, Path(tmp), "evo_tnn_scratch")("gtu_v2")
        for name, use_decay in (("tnn_v2_no_decay", False), ("tnn_v2_decay_99_pre", True)):
            gtu = gtu_v2.GtuV2(embed_dim=16, num_heads=1, causal=True, expand_ratio=3, use_decay=use_decay,
                               rpe_layers=6, rpe_embedding=8, gamma=0.99)
            out[name] = [[k, list(v.shape)] for k, v in gtu.state_dict().items()]
    path = Path(__file__).parent / "no_decay_keys.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
