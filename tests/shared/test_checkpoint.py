from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from shared import checkpoint as ckpt


def test_interrupted_write_keeps_previous_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "step_00000001.pt"
    ckpt.atomic_save({"w": torch.ones(3)}, path)

    def dies_half_way(obj, f, *args, **kwargs):
        f.write(b"PK\x03\x04 half a checkpoint")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        ckpt.atomic_save({"w": torch.zeros(3)}, path)
    monkeypatch.undo()
    assert torch.equal(ckpt.load_checkpoint(path)["w"], torch.ones(3))
    assert list(tmp_path.iterdir()) == [path], "the temporary file must be removed"


def test_writer_killed_mid_write_keeps_previous_checkpoint(tmp_path: Path) -> None:
    """A process SIGKILLed while writing a large checkpoint leaves the old one whole and loadable."""
    path = tmp_path / "step_00000001.pt"
    ckpt.atomic_save({"w": torch.arange(4.0)}, path)
    script = textwrap.dedent(
        f"""
        import torch, sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
        from shared import checkpoint
        class Slow:
            def __init__(self, f): self.f = f
            def write(self, b):
                print("writing", flush=True)
                import time; time.sleep(0.01)
                return self.f.write(b)
            def __getattr__(self, name): return getattr(self.f, name)
        save = torch.save
        torch.save = lambda obj, f: save(obj, Slow(f))
        checkpoint.atomic_save({{"w": torch.zeros(2_000_000)}}, {str(path)!r})
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert torch.equal(ckpt.load_checkpoint(path)["w"], torch.arange(4.0))
    assert ckpt.latest_checkpoint(tmp_path) == path, "a temporary file is never taken for a checkpoint"
    assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir()), "the killed writer left its temporary file"
    ckpt.prune_checkpoints(tmp_path, keep=2)
    assert list(tmp_path.iterdir()) == [path]


def test_latest_and_prune(tmp_path: Path) -> None:
    for step in (5, 10, 15):
        ckpt.atomic_save({"step": step}, ckpt.checkpoint_path(tmp_path, step))
    assert ckpt.latest_checkpoint(tmp_path).name == "step_00000015.pt"
    ckpt.prune_checkpoints(tmp_path, keep=2)
    assert [s for s, _ in ckpt.list_checkpoints(tmp_path)] == [10, 15]
    assert ckpt.latest_checkpoint(tmp_path / "none") is None


def test_unreadable_checkpoint_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "step_00000001.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(RuntimeError, match="step_00000001.pt cannot be read"):
        ckpt.load_checkpoint(bad)
    with pytest.raises(FileNotFoundError, match="missing.pt does not exist"):
        ckpt.load_checkpoint(tmp_path / "missing.pt")


def test_checkpoint_is_durable_before_and_after_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Power loss after atomic_save returns must leave the new checkpoint: its bytes are flushed to disk
    before the rename (else the rename can land with an empty file) and the folder after it."""
    path = tmp_path / "step_00000003.pt"
    events: list[tuple[str, int]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.fstat(fd).st_ino))
        real_fsync(fd)

    def replace(src, dst) -> None:
        events.append(("rename", os.stat(src).st_ino))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    ckpt.atomic_save({"w": torch.ones(2)}, path)
    file_inode, folder_inode = path.stat().st_ino, tmp_path.stat().st_ino
    rename = events.index(("rename", file_inode))
    assert ("fsync", file_inode) in events[:rename], "the file's data must reach the disk before the rename"
    assert ("fsync", folder_inode) in events[rename:], "the folder must be synced after the rename"


def test_temporary_file_of_a_later_step_is_not_a_checkpoint(tmp_path: Path) -> None:
    """A writer killed while saving step 10 leaves `.step_00000010.pt.<random>.tmp`: resume uses step 5."""
    done = ckpt.checkpoint_path(tmp_path, 5)
    ckpt.atomic_save({"step": 5}, done)
    for name in (".step_00000010.pt.k3j2h1.tmp", "step_00000010.pt.k3j2h1.tmp", "step_00000010.pt~", "old_step_00000020.pt"):
        (tmp_path / name).write_bytes(b"PK\x03\x04 half")
    assert ckpt.list_checkpoints(tmp_path) == [(5, done)]
    assert ckpt.latest_checkpoint(tmp_path) == done


def damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif how == "empty":
        path.write_bytes(b"")
    else:  # one flipped byte inside the tensor data
        i = data.index(bytes(torch.arange(1.0, 5.0).numpy().tobytes()))
        data[i + 5] ^= 0xFF
        path.write_bytes(bytes(data))


@pytest.mark.parametrize(("how", "reason"), [("truncated", "truncated"), ("empty", "truncated"), ("flipped", "damaged")])
def test_damaged_newest_checkpoint_falls_back_to_the_newest_complete_one(tmp_path: Path, capsys, how: str, reason: str) -> None:
    for step in (5, 10, 15):
        ckpt.atomic_save({"step": step, "w": torch.arange(1.0, 5.0)}, ckpt.checkpoint_path(tmp_path, step))
    damage(ckpt.checkpoint_path(tmp_path, 15), how)
    assert ckpt.latest_checkpoint(tmp_path) == ckpt.checkpoint_path(tmp_path, 10)
    err = capsys.readouterr().err
    assert f"skipping checkpoint {ckpt.checkpoint_path(tmp_path, 15)}: {reason}" in err
    assert "using step_00000010.pt instead" in err
    assert ckpt.checkpoint_problem(ckpt.checkpoint_path(tmp_path, 10)) is None
    damage(ckpt.checkpoint_path(tmp_path, 10), how)
    damage(ckpt.checkpoint_path(tmp_path, 5), how)
    assert ckpt.latest_checkpoint(tmp_path) is None
    assert capsys.readouterr().err.count("no complete checkpoint is left") == 3
