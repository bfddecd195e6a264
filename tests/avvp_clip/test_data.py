"""The LLP reader on a generated dataset in the official layout, and its errors on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from avvp_clip.config import FeatureLayout, GeneratorConfig
from avvp_clip.data import CATEGORIES, LLPDataset, read_segment_annotations, read_segment_table, read_video_labels
from avvp_clip.synthetic import write_llp_dataset


@pytest.fixture(scope="module")
def llp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_llp_dataset(tmp_path_factory.mktemp("llp"), GeneratorConfig(num_train=6, num_val=3, num_test=4))


def layout(root: Path) -> FeatureLayout:
    return FeatureLayout(audio_dir=str(root / "feats/vggish"), visual_dir=str(root / "feats/res152"),
                         motion_dir=str(root / "feats/r2plus1d_18"), clip_dir=str(root / "feats/clip"))


def test_generated_dataset_reads_at_the_official_sizes(llp: Path) -> None:
    data = LLPDataset(llp / "AVVP_train.csv", layout(llp), preload=True)
    item = data[0]
    assert len(data) == 6
    assert item["audio"].shape == (10, 128) and item["visual"].shape == (80, 2048) and item["motion"].shape == (10, 512)
    assert str(item["visual"].dtype) == "torch.float32"
    assert item["label"].shape == (25,) and item["label"].sum() >= 1
    clip = data.read_clip_probs()
    assert clip.shape == (6, 10, 25)
    np.testing.assert_allclose(clip.sum(-1), 1.0, atol=1e-5)
    data.pseudo_labels = np.zeros((6, 10, 25), dtype=np.float32)
    assert data[1]["pseudo"].shape == (10, 25)


def test_dense_annotations_agree_with_the_video_labels(llp: Path) -> None:
    names, labels = read_video_labels(llp / "AVVP_test_pd.csv")
    gt_a = read_segment_annotations(llp / "AVVP_eval_audio.csv", names)
    gt_v = read_segment_annotations(llp / "AVVP_eval_visual.csv", names)
    # every labelled class occurs in some track, and no track has a class outside the label
    present = ((gt_a + gt_v).sum(-1) > 0).astype(np.float32)
    np.testing.assert_array_equal(present, labels)


def test_missing_feature_file_names_the_file(llp: Path, tmp_path: Path) -> None:
    lay = layout(llp)
    lay.motion_dir = str(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"gen00000000\.npy: motion \(R\(2\+1\)D\) feature file not found"):
        LLPDataset(llp / "AVVP_train.csv", lay)[0]


def test_wrong_feature_shape_is_reported(llp: Path, tmp_path: Path) -> None:
    np.save(tmp_path / "gen00000000.npy", np.zeros((10, 2048), dtype=np.float32))  # per second, not 8 fps
    lay = layout(llp)
    lay.visual_dir = str(tmp_path)
    with pytest.raises(ValueError, match=r"visual \(ResNet-152\) features must have shape \(80, 2048\), got \(10, 2048\)"):
        LLPDataset(llp / "AVVP_train.csv", lay)[0]


def test_csv_errors_name_file_row_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "labels.csv"
    bad.write_text("filename\tevent_labels\nabcdefghijk_0_10\tDog,Unicorn\n")
    with pytest.raises(ValueError, match=r"labels.csv, row 2: field 'event_labels' has unknown class 'Unicorn'"):
        read_video_labels(bad)
    bad.write_text("filename,event_labels\nabcdefghijk_0_10,Dog\n")  # commas, not tabs
    with pytest.raises(ValueError, match="missing column"):
        read_video_labels(bad)
    dense = tmp_path / "eval.csv"
    dense.write_text("filename\tonset\toffset\tevent_labels\nabcdefghijk_0_10\t4\t12\tDog\n")
    with pytest.raises(ValueError, match="row 2: expected 0 <= onset < offset <= 10"):
        read_segment_annotations(dense, ["abcdefghijk_0_10"])
    with pytest.raises(FileNotFoundError, match="nothing.csv: file not found"):
        read_video_labels(tmp_path / "nothing.csv")


def test_annotation_rows_become_half_open_intervals(tmp_path: Path) -> None:
    dense = tmp_path / "eval.csv"
    dense.write_text("filename\tonset\toffset\tevent_labels\nabcdefghijk_0_10\t2\t5\tCat\nother\t0\t1\tDog\n")
    gt = read_segment_annotations(dense, ["abcdefghijk_0_10"])
    assert gt.shape == (1, 25, 10)
    assert gt[0, CATEGORIES.index("Cat")].tolist() == [0, 0, 1, 1, 1, 0, 0, 0, 0, 0]
    assert gt.sum() == 3


def test_pseudo_label_quality_from_the_command_line(llp: Path) -> None:
    from avvp_clip.evaluate import main as evaluate_main

    loose = evaluate_main(["--clip-threshold", "0.0", "--data-root", str(llp)])  # every video class, everywhere
    strict = evaluate_main(["--clip-threshold", "0.04", "--data-root", str(llp)])
    assert strict["seg_visual"] > loose["seg_visual"]


RELEASED_ODD_ROWS = [  # every row of the released AVVP_eval_audio.csv (AVVP-ECCV20) with onset >= offset
    ("CaC2xvdLC34_250_260", 9, 9, "Speech"), ("CSWQ_HzQ_10_20", 9, 9, "Basketball_bounce"),
    ("Gg3pK71kApY_30_40", 10, 10, "Speech"), ("H5WcJwyjxIg_2_12", 0, 0, "Baby_cry_infant_cry"),
    ("Baue01N86wE_10_20", 1, 1, "Dog"), ("8DF2PxdT5tE_390_400", 9, 0, "Cheering"),
]


def test_released_rows_with_onset_not_before_offset_are_empty_ranges(tmp_path: Path, capsys) -> None:
    """As main_avvp.py eval(): GT[c, onset:offset] = 1 marks nothing for them; they are counted and logged."""
    names = [row[0] for row in RELEASED_ODD_ROWS]
    lines = ["filename\tonset\toffset\tevent_labels"] + [f"{n}\t{a}\t{b}\t{c}" for n, a, b, c in RELEASED_ODD_ROWS]
    lines.append(f"{names[5]}\t2\t4\tCheering")  # a real range of the same video and class still counts
    dense = tmp_path / "AVVP_eval_audio.csv"
    dense.write_text("\n".join(lines) + "\n")
    gt, empty = read_segment_table(dense, names)
    assert empty == [2, 3, 4, 5, 6, 7]
    assert gt.sum() == 2 and gt[5, CATEGORIES.index("Cheering")].tolist() == [0, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    read_segment_annotations(dense, names)
    assert "6 row(s) with onset >= offset read as empty ranges" in capsys.readouterr().out
    _, only_some = read_segment_table(dense, names[:2])  # rows of other videos are not counted
    assert only_some == [2, 3]


def test_generated_fixture_holds_such_rows(llp: Path) -> None:
    names, _ = read_video_labels(llp / "AVVP_val_pd.csv")
    _, empty = read_segment_table(llp / "AVVP_eval_audio.csv", names)
    assert len(empty) == 4
    _, none = read_segment_table(llp / "AVVP_eval_visual.csv", names)
    assert none == []
