"""Regenerate the golden fixtures from a checkout of the original code (not part of this repository).

    python tests/avvp_clip/golden/make_golden.py --original /path/to/AVVP-ECCV20 [--out tests/avvp_clip/golden]

See README.md beside this file for what is produced and how.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from golden_utils import random_binary, synthetic_features, synthetic_state_dict  # noqa: E402

CATEGORIES = ['Speech', 'Car', 'Cheering', 'Dog', 'Cat', 'Frying_(food)', 'Basketball_bounce', 'Fire_alarm',
              'Chainsaw', 'Cello', 'Banjo', 'Singing', 'Chicken_rooster', 'Violin_fiddle', 'Vacuum_cleaner',
              'Baby_laughter', 'Accordion', 'Lawn_mower', 'Motorcycle', 'Helicopter', 'Acoustic_guitar',
              'Telephone_bell_ringing', 'Baby_cry_infant_cry', 'Blender', 'Clapping']


def edge_cases() -> list[tuple[np.ndarray, ...]]:
    """(pred_a, pred_v, gt_a, gt_v) each (25, 10), hand-made."""
    z = np.zeros((25, 10), dtype=np.int64)
    cases = [(z, z, z, z)]  # all true negatives
    g = z.copy()
    g[3, 2:7] = 1
    g[0, :] = 1
    cases.append((g, g, g, g))  # all correct
    p = z.copy()
    p[5, :4] = 1
    cases.append((p, p, g, g))  # all wrong
    cases.append((z, z, g, g))  # nothing predicted
    cases.append((g, z, z, g))  # swapped modalities
    iou = z.copy()
    iou[3, 2:5] = 1  # IoU 3/5 with g's [2, 7) event; 0.5 boundary below
    half = z.copy()
    half[3, 0:4] = 1  # overlap 2, union 7 -> miss
    cases.append((iou, half, g, g))
    two = z.copy()
    two[7, 0:2] = 1
    two[7, 5:8] = 1  # two ground-truth events
    one = z.copy()
    one[7, 0:8] = 1  # one prediction covering both
    cases.append((one, two, two, one))
    edge = z.copy()
    edge[9, 9] = 1  # a one-segment event at the end
    edge[9, 0] = 1
    cases.append((edge, edge, edge, z))
    return cases


def metric_golden(eval_metrics) -> dict[str, np.ndarray]:
    arrays = [[], [], [], []]
    for case in edge_cases():
        for lst, x in zip(arrays, case, strict=True):
            lst.append(x)
    n_random = 48
    for i in range(n_random):
        density = [0.05, 0.15, 0.4][i % 3]
        rand = [random_binary((25, 10), density, seed=100 * i + k) for k in range(4)]
        if i % 4 == 0:  # correlated predictions: ground truth with a few flips
            rand[0] = np.abs(rand[2] - random_binary((25, 10), 0.1, seed=100 * i + 9))
        for lst, x in zip(arrays, rand, strict=True):
            lst.append(x)
    pa, pv, ga, gv = (np.stack(a) for a in arrays)
    seg, event = [], []
    for i in range(len(pa)):
        so_a, so_v, gt_a, gt_v = pa[i], pv[i], ga[i], gv[i]
        seg.append(eval_metrics.segment_level(so_a, so_v, so_a * so_v, gt_a, gt_v, gt_a * gt_v))
        event.append(eval_metrics.event_level(so_a, so_v, so_a * so_v, gt_a, gt_v, gt_a * gt_v))
    return {"pred_audio": pa.astype(np.uint8), "pred_visual": pv.astype(np.uint8), "gt_audio": ga.astype(np.uint8),
            "gt_visual": gv.astype(np.uint8), "segment_level": np.array(seg), "event_level": np.array(event)}


def write_tiny_llp(root: Path, names: list[str]) -> None:
    """Weak-label CSV and dense audio/visual annotation CSVs for the end-to-end evaluation fixture."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(7)
    weak, audio_rows, visual_rows = [], [], []
    for name in names:
        classes = sorted(rng.choice(25, size=rng.randint(1, 4), replace=False))
        weak.append((name, ",".join(CATEGORIES[c] for c in classes)))
        for c in classes:
            for rows in (audio_rows, visual_rows):
                if rng.rand() < 0.8:
                    on = rng.randint(0, 9)
                    rows.append((name, on, rng.randint(on + 1, 11), CATEGORIES[c]))
    # rows like the released AVVP_eval_audio.csv's odd ones (onset == offset, onset > offset), after the random
    # ones so the random stream is unchanged; the original eval() slices them as empty ranges
    audio_rows += [(names[3], 9, 9, "Singing"), (names[3], 9, 0, "Speech"), (names[0], 10, 10, "Cheering"),
                   (names[0], 0, 0, "Cheering")]
    pd.DataFrame(weak, columns=["filename", "event_labels"]).to_csv(root / "AVVP_test_pd.csv", sep="\t", index=False)
    for rows, file in ((audio_rows, "AVVP_eval_audio.csv"), (visual_rows, "AVVP_eval_visual.csv")):
        pd.DataFrame(rows, columns=["filename", "onset", "offset", "event_labels"]).to_csv(root / file, sep="\t",
                                                                                         index=False)


def port_to_this_environment(source: str) -> str:
    """The original's pandas 0.24 positional indexing and hard-coded CUDA, ported for a CPU run."""
    return (source.replace("row[0]", "row.iloc[0]").replace("row[-1]", "row.iloc[-1]")
            .replace("df.loc[batch_idx, :][0]", "df.loc[batch_idx, :].iloc[0]").replace("'cuda'", "'cpu'"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--original", type=Path, required=True, help="checkout of YapengTian/AVVP-ECCV20")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="avvp_orig_"))
    for rel in ("nets/net_audiovisual.py", "utils/eval_metrics.py", "dataloader.py", "main_avvp.py"):
        dst = scratch / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(port_to_this_environment((args.original / rel).read_text()))
    (scratch / "nets" / "__init__.py").touch()
    (scratch / "utils" / "__init__.py").touch()
    sys.path.insert(0, str(scratch))
    import main_avvp
    from dataloader import LLP_dataset, ToTensor
    from nets.net_audiovisual import MMIL_Net
    from utils import eval_metrics

    torch.manual_seed(0)
    model = MMIL_Net().eval()
    shapes = {k: list(v.shape) for k, v in model.state_dict().items()}
    model.load_state_dict(synthetic_state_dict(shapes, seed=0))
    feats = synthetic_features(3, seed=1)
    with torch.no_grad():
        outputs = model(feats["audio"], feats["visual"], feats["motion"])
    np.savez_compressed(args.out / "han_outputs.npz", **{k: o.numpy() for k, o in
                                                         zip(("global_prob", "audio_prob", "visual_prob",
                                                              "frame_prob"), outputs, strict=True)})
    (args.out / "mmil_net_keys.json").write_text(json.dumps(shapes, indent=0) + "\n")

    np.savez_compressed(args.out / "metrics.npz", **metric_golden(eval_metrics))

    # one step of the original train() (dropout off, SGD lr 1 so the update is minus the gradient)
    train_model = MMIL_Net()
    train_model.load_state_dict(synthetic_state_dict(shapes, seed=0))
    for module in train_model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
        elif isinstance(module, torch.nn.MultiheadAttention):
            module.dropout = 0.0
    before = {k: v.clone() for k, v in train_model.state_dict().items()}
    feats = synthetic_features(4, seed=5)
    labels = torch.from_numpy((np.random.RandomState(6).random_sample((4, 25)) < 0.12).astype(np.float64))
    batch = {"audio": feats["audio"], "video_s": feats["visual"], "video_st": feats["motion"], "label": labels}
    losses = []
    criterion = torch.nn.BCELoss()

    def recording(*a):
        loss = criterion(*a)
        losses.append(loss.item())
        return loss

    class OneBatch(list):  # train() logs len(train_loader.dataset)
        dataset = [None] * 4

    main_avvp.train(argparse.Namespace(log_interval=1000), train_model, OneBatch([batch]),
                    torch.optim.SGD(train_model.parameters(), lr=1.0), recording, epoch=1)
    after = train_model.state_dict()
    np.savez_compressed(args.out / "train_step.npz", loss=np.array(sum(losses)), labels=labels.numpy(),
                        **{f"grad/{k}": (before[k] - after[k]).numpy() for k in ("fc_prob.weight", "hat_encoder.layers.0.linear2.bias")},
                        **{f"grad_norm/{k}": np.array((before[k] - after[k]).norm().item()) for k in before})

    # end to end: the original eval() on a tiny LLP layout, recording every per-video score
    names = [f"vid{i:08d}_{10 * i}_{10 * i + 10}" for i in range(6)]
    write_tiny_llp(args.out / "llp_tiny", names)
    work = scratch / "run"
    (work / "data").mkdir(parents=True)
    for file in ("AVVP_eval_audio.csv", "AVVP_eval_visual.csv"):
        (work / "data" / file).write_text((args.out / "llp_tiny" / file).read_text())
    feats = synthetic_features(len(names), seed=2)
    for key, folder in (("audio", "vggish"), ("visual", "res152"), ("motion", "r2plus1d_18")):
        (work / folder).mkdir()
        for i, name in enumerate(names):
            np.save(work / folder / f"{name[:11]}.npy", feats[key][i].numpy())
    records = {"segment_level": [], "event_level": []}

    def recorder(fn, key):
        def wrapped(*a):
            out = fn(*a)
            records[key].append(out)
            return out
        return wrapped

    main_avvp.segment_level = recorder(eval_metrics.segment_level, "segment_level")
    main_avvp.event_level = recorder(eval_metrics.event_level, "event_level")
    dataset = LLP_dataset(str(args.out / "llp_tiny" / "AVVP_test_pd.csv"), str(work / "vggish"),
                          str(work / "res152"), str(work / "r2plus1d_18"), transform=ToTensor())
    loader = torch.utils.data.DataLoader(dataset, batch_size=1, shuffle=False)
    printed = io.StringIO()
    cwd = os.getcwd()
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(printed):
            main_avvp.eval(model, loader, str(args.out / "llp_tiny" / "AVVP_test_pd.csv"))
    finally:
        os.chdir(cwd)
    (args.out / "eval_end_to_end.json").write_text(json.dumps(
        {"videos": names, "feature_seed": 2, "weight_seed": 0,
         "segment_level": records["segment_level"], "event_level": records["event_level"],
         "printed": printed.getvalue().splitlines()}, indent=1) + "\n")
    print("wrote golden fixtures to", args.out)


if __name__ == "__main__":
    main()
