"""Key set and shapes of the released groundingdino_swint_ogc.pth, written to sam_wsss/released/.

The original model class (IDEA-Research/GroundingDINO, as vendored by weixuansun/wsss_sam at commit 3f3493a)
wrote `groundingdino_tiny_original.pth` (see golden/README.md); its keys are the original layout at tiny depth.
This script expands each key's layer indices to the Swin-T OGC depths and keeps the keys whose converted
counterpart exists in transformers' model at that size (sam_wsss.model.swint_ogc_config), with that shape
(fused q/k/v projections: three times the rows). Buffers the converter drops keep their original shapes:
Swin's relative_position_index (49 x 49 for window 7, int64) and BERT's pooler (768 wide).

    python tests/sam_wsss/golden/make/make_released_layouts.py
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import torch
from transformers import GroundingDinoForObjectDetection

from sam_wsss.convert import DROPPED, convert_state_dict
from sam_wsss.model import swint_ogc_config

ROOT = Path(__file__).resolve().parents[4]
TINY = ROOT / "tests" / "sam_wsss" / "golden" / "groundingdino_tiny_original.pth"
OUT = ROOT / "sam_wsss" / "released" / "groundingdino_swint_ogc.json"
BERT_WIDTH = 768


def main() -> None:
    tiny = torch.load(TINY, map_location="cpu", weights_only=False)["model"]
    with torch.device("meta"):
        hf = {k: tuple(v.shape) for k, v in GroundingDinoForObjectDetection(swint_ogc_config()).state_dict().items()}
    templates = {}
    for key, value in tiny.items():
        templates.setdefault(re.sub(r"\d+", "{}", key), (key, value))
    spec, covered = [], set()
    for template, (_, tiny_value) in templates.items():
        slots = template.count("{}")
        for values in itertools.product(range(13), repeat=slots):
            key = template.format(*values)
            if DROPPED.search(key):
                if key.startswith("bert.pooler"):
                    shape = [BERT_WIDTH, BERT_WIDTH] if key.endswith("weight") else [BERT_WIDTH]
                    spec.append([key, shape, "float32"])
                    break
                try:
                    sibling = convert_state_dict({key.replace("relative_position_index", "proj.weight"): torch.zeros(1)})
                except KeyError:
                    continue
                if sibling and sibling.keys() <= hf.keys():
                    spec.append([key, list(tiny_value.shape), str(tiny_value.dtype).replace("torch.", "")])
                continue
            try:
                converted = convert_state_dict({key: torch.zeros(3)})
            except KeyError:
                continue
            # the converter adds Swin's final layernorm beside the last stage's norm; it is no original key
            converted = {k: v for k, v in converted.items() if ".swin.layernorm." not in k}
            if not converted or not converted.keys() <= hf.keys():
                continue
            shapes = [hf[k] for k in converted]
            shape = [sum(s[0] for s in shapes), *shapes[0][1:]] if len(shapes) > 1 else list(shapes[0])
            spec.append([key, shape, "float32"])
            covered |= converted.keys()
    missing = sorted(set(hf) - covered - {k for k in hf if ".swin.layernorm." in k})
    if missing:
        raise SystemExit(f"{len(missing)} keys of the transformers model have no original key, e.g. {missing[:5]}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"source": "IDEA-Research/GroundingDINO groundingdino_swint_ogc.pth (key set and shapes)",
                               "keys": spec}, indent=0) + "\n")
    print(f"wrote {len(spec)} keys, {sum(torch.Size(s).numel() for _, s, _ in spec):,} values to {OUT}")


if __name__ == "__main__":
    main()
