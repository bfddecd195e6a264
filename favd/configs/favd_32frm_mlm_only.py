"""AVLFormer trained with the masked language modelling loss alone (lambda = 0: SwinBERT's objective), to isolate
the autoregressive LM loss the paper adds for paragraph-level output; otherwise as favd_32frm.py."""

from favd.configs._common import mlm_only, paper_config


def get_config():
    return mlm_only(paper_config())
