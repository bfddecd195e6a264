"""Test-session settings shared by every subproject's tests."""

import os

# The tests train tiny models: one thread each is faster than several contending for a small CI machine, and
# subprocesses (torchrun, fairseq-train, smoke runs) inherit the setting through the environment.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no model hub lookups at test time

import torch  # noqa: E402

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
