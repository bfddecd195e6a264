"""End to end: the original main_avvp.py eval() on a tiny LLP layout (golden) against avvp_clip.evaluate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import GOLDEN
from golden_utils import synthetic_features, synthetic_state_dict

from avvp_clip.data import NUM_SEGMENTS
from avvp_clip.evaluate import main as evaluate_main


def write_layout(tmp_path: Path) -> tuple[Path, dict]:
    golden = json.loads((GOLDEN / "eval_end_to_end.json").read_text())
    root = tmp_path / "data"
    shutil.copytree(GOLDEN / "llp_tiny", root)
    feats = synthetic_features(len(golden["videos"]), seed=golden["feature_seed"], segments=NUM_SEGMENTS)
    for key, folder in (("audio", "vggish"), ("visual", "res152"), ("motion", "r2plus1d_18")):
        (root / "feats" / folder).mkdir(parents=True)
        for i, name in enumerate(golden["videos"]):
            np.save(root / "feats" / folder / f"{name[:11]}.npy", feats[key][i].numpy())
    shapes = json.loads((GOLDEN / "mmil_net_keys.json").read_text())
    torch.save(synthetic_state_dict(shapes, seed=golden["weight_seed"]), tmp_path / "MMIL_Net.pt")
    return root, golden


def expected(golden: dict) -> dict[str, float]:
    out = {}
    for level, prefix in (("segment_level", "seg"), ("event_level", "event")):
        f_a, f_v, f, f_av = (100 * np.mean([row[i] for row in golden[level]]) for i in range(4))
        out |= {f"{prefix}_audio": f_a, f"{prefix}_visual": f_v, f"{prefix}_av": f_av,
                f"{prefix}_type_av": (f_av + f_a + f_v) / 3, f"{prefix}_event_av": f}
    return out


def test_checkpoint_evaluation_equals_the_original_eval(tmp_path: Path) -> None:
    root, golden = write_layout(tmp_path)
    scores = evaluate_main(["--checkpoint", str(tmp_path / "MMIL_Net.pt"), "--data-root", str(root),
                            "--save-predictions", str(tmp_path / "pred.npz"), "--out", str(tmp_path / "s.json")])
    for key, value in expected(golden).items():
        assert scores[key] == pytest.approx(value, abs=1e-9), key
    printed = [float(line.rsplit(" ", 1)[1]) for line in golden["printed"]]
    ours = [scores[k] for k in ("seg_audio", "seg_visual", "seg_av", "seg_type_av", "seg_event_av",
                                "event_audio", "event_visual", "event_av", "event_type_av", "event_event_av")]
    assert [round(v, 1) for v in ours] == printed
    # the saved predictions file scores the same
    again = evaluate_main(["--predictions", str(tmp_path / "pred.npz"), "--data-root", str(root)])
    assert again == scores
    assert json.loads((tmp_path / "s.json").read_text()) == scores


def test_predictions_file_errors_name_the_field(tmp_path: Path) -> None:
    root, golden = write_layout(tmp_path)
    np.savez(tmp_path / "p.npz", filenames=np.array(golden["videos"][:2]))
    with pytest.raises(ValueError, match="field 'filenames' lacks 4 videos"):
        evaluate_main(["--predictions", str(tmp_path / "p.npz"), "--data-root", str(root)])
    np.savez(tmp_path / "q.npz", filenames=np.array(golden["videos"]))
    with pytest.raises(ValueError, match="expected fields pred_audio and pred_visual"):
        evaluate_main(["--predictions", str(tmp_path / "q.npz"), "--data-root", str(root)])
