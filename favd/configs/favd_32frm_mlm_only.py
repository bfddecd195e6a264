"""AVLFormer trained with the masked language modelling loss alone (lambda = 0: SwinBERT's objective), to isolate
the autoregressive LM loss the paper adds for paragraph-level output; otherwise as favd_32frm.py."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("favd_32frm", Path(__file__).with_name("favd_32frm.py"))
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)

config = _base.config
config.model.lambda_ = 0.0
