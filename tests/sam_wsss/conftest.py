import io
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
    from shared.reproduce import Run, prepare_out

    out = tmp_path_factory.mktemp("smoke") / "run"
    prepare_out(out, fresh=True)
    run = Run(paper="sam_wsss", profile="smoke", out=out, data_root=out / "data", weights_root=out / "weights",
              fresh=True, console=io.StringIO())
    return out, smoke(run)
