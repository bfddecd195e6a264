from __future__ import annotations

import pytest

from fnac_avl.prepare import METADATA, main


def test_prepare_lays_out_sources(tmp_path):
    repo = tmp_path / "FNAC_AVL"
    (repo / "metadata").mkdir(parents=True)
    for name in METADATA:
        (repo / "metadata" / name).write_text("x\n")
    flickr = tmp_path / "flickr"
    for sub in ("train/frames", "train/audio", "test/Annotations"):
        (flickr / sub).mkdir(parents=True)
    root = tmp_path / "data"
    main(["--root", str(root), "--original-repo", str(repo), "--flickr-source", str(flickr)])
    assert sorted(p.name for p in (root / "metadata").iterdir()) == sorted(METADATA)
    assert (root / "flickr/train/frames").is_dir() and (root / "flickr/test/Annotations").is_dir()


def test_prepare_names_missing_parts(tmp_path):
    with pytest.raises(SystemExit, match="metadata/flickr_10k.txt"):
        main(["--root", str(tmp_path / "d"), "--original-repo", str(tmp_path)])
