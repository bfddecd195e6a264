# ruff: noqa: E402, E501, E702, B023, B905, UP031  (a one-off script: imports follow the path set-up)
"""Golden outputs of the original functions (metrics, merge rule, phrase rule) on fixed inputs."""
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), *[".."] * 4))
GOLDEN = os.path.join(REPO, "tests", "sam_wsss", "golden")

import ast
import json
import sys

import numpy as np
import torch
from PIL import Image


def extract(path, names, drop_breakpoint=True):
    src = open(path).read()
    tree = ast.parse(src)
    out = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.Assign)) and (getattr(node, 'name', None) in names or
                (isinstance(node, ast.Assign) and any(getattr(t, 'id', None) in names for t in node.targets))):
            seg = ast.get_source_segment(src, node)
            if drop_breakpoint:
                seg = "\n".join(line for line in seg.splitlines() if line.strip() != "breakpoint()")
            out.append(seg)
    return "\n\n".join(out)

ns = {"np": np, "torch": torch, "Image": Image, "os": __import__("os"), "json": json}
exec(extract("test_coco_pseudo.py", {"_fast_hist", "scores"}), ns)
exec(extract("GroundingDINO/groundingdino/util/utils.py", {"get_phrases_from_posmap_2", "get_phrases_from_posmap"}).replace("Dict", "dict").replace("AutoTokenizer", "object").replace("torch.BoolTensor", "object"), ns)
# the original's module-level class table, as process_pascal.py builds it
pascal_src = open("process_pascal.py").read()
start = pascal_src.index("palette = ["); end = pascal_src.index("\nprint(class_dict)")
exec(pascal_src[start:end], ns)
exec(extract("process_pascal.py", {"save_mask_data"}), ns)

sys.path.insert(0, REPO)
from sam_wsss.model import tiny_tokenizer

out = {}
rng = np.random.default_rng(0)

# ---- metrics
cases = {}
gt1 = rng.integers(0, 5, (2, 17, 23)); gt1[:, :, :3] = 255
pred1 = rng.integers(0, 5, (2, 17, 23)); pred1[0, 5:9] = gt1[0, 5:9]
cases["random_with_ignore"] = (gt1, pred1, 5)
gt2 = rng.integers(0, 4, (1, 9, 9)); cases["all_correct"] = (gt2, gt2.copy(), 4)
cases["all_wrong"] = (gt2, (gt2 + 1) % 4, 4)
gt3 = np.zeros((1, 8, 8), int); gt3[0, :4] = 2; pred3 = gt3.copy(); pred3[0, 6:] = 3  # class 1 nowhere, 3 only predicted
cases["absent_and_only_predicted"] = (gt3, pred3, 5)
metric_out = {}
arrays = {}
for name, (g, p, n) in cases.items():
    r = ns["scores"](list(g), list(p), n_class=n)
    metric_out[name] = {"n_class": n, "miou": r["Mean IoU"], "pixel_accuracy": r["Pixel Accuracy"],
                        "mean_accuracy": r["Mean Accuracy"], "fw_iou": r["Frequency Weighted IoU"],
                        "class_iou": [None if np.isnan(v) else v for v in r["Class IoU"].values()]}
    arrays[f"{name}_gt"] = g.astype(np.uint8); arrays[f"{name}_pred"] = p.astype(np.uint8)
out["metrics"] = metric_out

# ---- merge rule
H, W = 20, 30
masks = np.zeros((4, H, W), bool)
masks[0, 2:12, 3:20] = True; masks[1, 8:18, 10:28] = True; masks[2, 0:5, 0:30] = True; masks[3, 10:20, 0:8] = True
phrases = ["cat(0.45)", "saddle(0.33)", "cat. dog(0.51)", "dog(0.90)"]
tmp = "/tmp/sam_wsss_orig/merge_out"; __import__("os").makedirs(tmp, exist_ok=True)
ns["save_mask_data"](tmp, [torch.from_numpy(m[None]) for m in masks], torch.zeros(4, 4), phrases, "x", H, W)
merged = Image.open(f"{tmp}/x.png")
arrays["merge_masks"] = masks
arrays["merge_expected"] = np.array(merged)
out["merge"] = {"phrases": [p.split("(")[0] for p in phrases], "mode": merged.mode,
                "palette_first_21": ns["palette"]}

# ---- phrase rule (tiny tokenizer with BERT-base's ids for the stop tokens)
tok = tiny_tokenizer()
phr = {}
for key, caption in {"voc": "cat.horse.halter.saddle.pottedplant.", "coco": "potted plant . dining table . tv ."}.items():
    ids = tok(caption)["input_ids"]
    logits = torch.full((40, 64), 0.0)
    logits[:, :len(ids)] = torch.rand(40, len(ids), generator=torch.Generator().manual_seed(1))
    expected = []
    for row in logits:
        try:
            expected.append(ns["get_phrases_from_posmap_2"](row > 0.25, row, {"input_ids": ids}, tok))
        except IndexError:
            expected.append(None)  # the original crashes here (best token is the final [SEP])
    arrays[f"phrase_{key}_logits"] = logits.numpy()
    above = [ns["get_phrases_from_posmap"](row > 0.25, {"input_ids": ids}, tok) for row in logits]
    phr[key] = {"caption": caption, "input_ids": ids, "expected": expected, "expected_above_0.25": above}
out["phrase"] = phr
json.dump(out, open(GOLDEN + "/small.json", "w"), indent=1)
np.savez_compressed(GOLDEN + "/small.npz", **arrays)
print(json.dumps(out["metrics"], indent=0)[:800]); print(phr["voc"]["expected"][:10], phr["coco"]["expected"][:10]); print(np.unique(arrays["merge_expected"]))

# ---- image preprocessing (GroundingDINO datasets/transforms.py)
sys.path.insert(0, "/tmp/sam_wsss_orig/GroundingDINO")
import groundingdino.datasets.transforms as T

sizes = [(500, 375), (375, 500), (1000, 200), (800, 800), (333, 800)]
resize_out = []
for w, h in sizes:
    img = Image.new("RGB", (w, h))
    resized, _ = T.RandomResize([800], max_size=1333)(img, None)
    resize_out.append([w, h, resized.size[1], resized.size[0]])  # w, h, out_h, out_w
photo = (np.random.default_rng(3).random((30, 45, 3)) * 255).astype(np.uint8)
transform = T.Compose([T.RandomResize([48], max_size=100), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
tensor, _ = transform(Image.fromarray(photo), None)
out["resize"] = resize_out
arrays["preprocess_photo"] = photo
arrays["preprocess_expected"] = tensor.numpy()
json.dump(out, open(GOLDEN + "/small.json", "w"), indent=1)
np.savez_compressed(GOLDEN + "/small.npz", **arrays)
print(resize_out, tensor.shape)
