"""evaluate (prediction PNGs in the official layout), visualize, prepare, reproduce's missing-data exit."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from avsbench import evaluate, reproduce, visualize
from avsbench.data import clip_log_mel, load_mask, mask_path
from avsbench.synthetic import generate
from shared.reproduce import main


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("d") / "Single-source", "s4", {"train": 1, "val": 1, "test": 2}, image_size=32)


def _write_preds(root, pred_dir, flip_first: bool):
    gt_dir = root / "s4_data/gt_masks/test"
    for i, gt in enumerate(sorted(gt_dir.rglob("*.png"))):
        name, _, k = gt.stem.rpartition("_")
        mask = np.asarray(Image.open(gt))
        if flip_first and i == 0:
            mask = 255 - mask
        out = pred_dir / gt.parent.relative_to(gt_dir) / f"{name}_{int(k) - 1}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(mask).save(out)
    return gt_dir


def test_evaluate_pred_dir_scores_perfect_and_imperfect_predictions(root, tmp_path, capsys):
    _write_preds(root, tmp_path / "perfect", flip_first=False)
    evaluate.main(["--pred-dir", str(tmp_path / "perfect"), "--data-root", str(root), "--setting", "s4",
                   "--out", str(tmp_path / "s.json")])
    scores = json.loads((tmp_path / "s.json").read_text())
    assert scores["miou"] == pytest.approx(1.0) and scores["f_score"] == pytest.approx(1.0) and scores["clips"] == 2
    capsys.readouterr()
    _write_preds(root, tmp_path / "flipped", flip_first=True)
    probs, targets = evaluate.load_pairs(tmp_path / "flipped", root, "s4")
    assert len(probs) == 2 and probs[0].shape == (5, 32, 32)
    evaluate.main(["--pred-dir", str(tmp_path / "flipped"), "--data-root", str(root), "--setting", "s4",
                   "--clips-per-batch", "1"])
    flipped = json.loads(capsys.readouterr().out)
    assert flipped["miou"] == pytest.approx((0.8 + 1.0) / 2)  # one frame of ten wrong; batches of one clip
    with pytest.raises(FileNotFoundError, match="missing predicted mask"):
        evaluate.load_pairs(tmp_path / "nowhere", root, "s4")


def test_visualize_writes_side_by_side_overlays(root, tmp_path):
    gt_dir = _write_preds(root, tmp_path / "p", flip_first=False)
    written = visualize.visualize(tmp_path / "p", gt_dir, root / "s4_data/visual_frames/test", tmp_path / "vis")
    assert len(written) == 10
    assert Image.open(written[0]).size == (32 * 2 + 4, 32)


def test_prepare_pads_short_clips_by_repeating_the_last_second(tmp_path):
    import soundfile

    soundfile.write(tmp_path / "a.wav", (np.random.default_rng(0).standard_normal(16000 * 3) * 3000).astype(np.int16),
                    16000, subtype="PCM_16")
    lm = clip_log_mel(tmp_path / "a.wav")
    assert lm.shape == (5, 1, 96, 64)
    assert (lm[3] == lm[2]).all() and (lm[4] == lm[2]).all()


def test_full_profile_without_data_exits_with_the_prepare_command(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REPRO_DATA", str(tmp_path / "data"))
    with pytest.raises(SystemExit) as err:
        main(reproduce.__doc__, {"smoke": reproduce.smoke, "dryrun": reproduce.dryrun, "full": reproduce.full},
             ["--profile", "full", "--out", str(tmp_path / "o")])
    assert err.value.code == 2
    assert "python -m avsbench.prepare" in capsys.readouterr().err


def test_pred_dir_scores_batch_the_clips_in_meta_csv_order(tmp_path):
    """The original's test loader batches the clips in the meta CSV's order, and the F-score depends on the
    batches: scoring prediction PNGs must group them the same way (not by sorted path)."""
    root = generate(tmp_path / "Single-source", "s4", {"train": 1, "val": 1, "test": 7}, image_size=32, seed=4)
    clips = evaluate.read_clips(root, "s4", "test")
    paths = sorted(f"{c.category}/{c.name}" for c in clips)
    in_csv_order = [f"{c.category}/{c.name}" for c in clips]
    assert set(paths[:4]) != set(in_csv_order[:4]), "the fixture must batch clips differently by path"
    rng = np.random.default_rng(0)
    targets = [torch.stack([load_mask(mask_path(root, "s4", c, k), None, "s4")[0] for k in range(1, 6)]) for c in clips]
    probs = []
    for clip, t in zip(clips, targets, strict=True):  # soft predictions of varied quality, as 8-bit PNGs
        good = rng.uniform(0.0, 0.4)
        p = (good * t.numpy() + (1 - good) * rng.random((5, 32, 32))).astype(np.float32)
        folder = tmp_path / "pred" / clip.category / clip.name
        folder.mkdir(parents=True)
        for k in range(5):
            Image.fromarray((p[k] * 255).astype(np.uint8)).save(folder / f"{clip.name}_{k}.png")
        probs.append(torch.from_numpy((p * 255).astype(np.uint8).astype(np.float32) / 255))
    expected = evaluate.batched_scores(probs, targets, 4)
    scores = evaluate.batched_scores(*evaluate.load_pairs(tmp_path / "pred", root, "s4"), 4)
    assert scores == pytest.approx(expected, rel=1e-6)
    by_path = sorted(range(len(clips)), key=lambda i: paths.index(f"{clips[i].category}/{clips[i].name}"))
    other = evaluate.batched_scores([probs[i] for i in by_path], [targets[i] for i in by_path], 4)
    assert other["f_score"] != pytest.approx(expected["f_score"], rel=1e-3)  # the grouping matters here
