"""The video-only captioner that AVLFormer extends (SwinBERT: Video Swin-B + BERT-base, learned sparse attention),
trained and evaluated on FAVDBench like favd_32frm.py: the comparison that isolates the audio branch.
784 video tokens only; everything else as favd_32frm.py.
"""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("favd_32frm", Path(__file__).with_name("favd_32frm.py"))
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)

config = _base.config
config.model.use_audio = False
config.model.max_img_seq_length = 784
config.init.passt = ""
