"""A loss normalised by a count over the batch trains the same on two processes as on one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch

from shared.parallel import per_process_share

ROOT = Path(__file__).resolve().parents[2]
# two processes' shares of one global batch: per-sample losses and a 0/1 mask whose count differs per share
LOSSES = torch.tensor([[0.5, 1.0, 2.0, 4.0], [8.0, 0.25, 3.0, 1.5]])
MASK = torch.tensor([[1.0, 1.0, 1.0, 0.0], [0.0, 0.0, 1.0, 0.0]])


WORKER = """
import json
import sys
import torch
import torch.distributed as dist
from shared.parallel import per_process_share

rank, init_file, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
losses, mask = (torch.tensor(json.loads(a)) for a in sys.argv[4:6])
dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=2)
local = (losses[rank] * mask[rank]).sum()
shared_norm = local / per_process_share(mask[rank].sum(), min_total=1)
local_norm = local / mask[rank].sum().clamp(min=1)
pair = torch.stack([shared_norm, local_norm])
dist.all_reduce(pair)  # DDP averages over the processes
if rank == 0:
    torch.save(pair / 2, out)
dist.destroy_process_group()
"""


def test_ddp_average_of_share_normalised_losses_is_the_one_process_loss(tmp_path: Path) -> None:
    out = tmp_path / "pair.pt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(rank), str(tmp_path / "init"), str(out),
                              json.dumps(LOSSES.tolist()), json.dumps(MASK.tolist())], env=env)
             for rank in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    shared_norm, local_norm = torch.load(out)
    one_process = (LOSSES * MASK).sum() / MASK.sum()  # (0.5 + 1 + 2 + 3) / 4
    assert shared_norm.item() == one_process.item() == 1.625
    assert local_norm.item() > 2.08  # each process's own count instead: (3.5 / 3 + 3 / 1) / 2


def test_one_process_keeps_its_count_and_the_floor() -> None:
    assert per_process_share(torch.tensor(3.0), min_total=1).item() == 3.0
    assert per_process_share(torch.tensor(0.0), min_total=1).item() == 1.0
