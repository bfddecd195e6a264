import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may reach the network

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")


@pytest.fixture(scope="session")
def tiny_voc(tmp_path_factory):
    from sam_wsss.synthetic import write_tiny_voc

    return write_tiny_voc(tmp_path_factory.mktemp("voc"), n_train=6, n_val=2, size=48, seed=1)


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    """One smoke reproduction shared by the tests that check its outputs."""
    from sam_wsss.reproduce import smoke

    out = tmp_path_factory.mktemp("smoke") / "run"
    return out, smoke(out)
