from pathlib import Path

import pytest
import torch

GOLDEN = Path(__file__).parent / "golden" / "fairseq_evo_outputs.pt"


@pytest.fixture(scope="session")
def golden() -> dict:
    return torch.load(GOLDEN, map_location="cpu", weights_only=False)
