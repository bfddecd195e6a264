from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no test may reach the network
sys.path.insert(0, str(Path(__file__).resolve().parent))  # golden_utils

GOLDEN = Path(__file__).resolve().parent / "golden"
