"""The video-only captioner that AVLFormer extends (SwinBERT: Video Swin-B + BERT-base, learned sparse attention),
trained and evaluated on FAVDBench like favd_32frm.py: the comparison that isolates the audio branch.
784 video tokens only; everything else as favd_32frm.py.
"""

from favd.configs._common import paper_config, video_only


def get_config():
    return video_only(paper_config())
