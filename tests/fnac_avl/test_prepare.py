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
    weights = tmp_path / "resnet18.pth"
    weights.write_bytes(b"w")
    main(["--data-root", str(root), "--weights-root", str(tmp_path / "weights"), "--original-repo", str(repo),
          "--flickr-source", str(flickr), "--imagenet-weights", str(weights)])
    copied = [p.name for d in ("flickr_soundnet", "vggsound") for p in (root / d / "metadata").iterdir()]
    assert sorted(copied) == sorted(METADATA)
    assert all(p.name.startswith("flickr") for p in (root / "flickr_soundnet/metadata").iterdir())
    assert (root / "flickr_soundnet/train/frames").is_dir() and (root / "flickr_soundnet/test/Annotations").is_dir()
    assert (tmp_path / "weights/torchvision/resnet18-f37072fd.pth").read_bytes() == b"w"


def test_prepare_names_missing_parts(tmp_path):
    with pytest.raises(SystemExit, match="metadata/flickr_10k.txt"):
        main(["--data-root", str(tmp_path / "d"), "--original-repo", str(tmp_path)])
